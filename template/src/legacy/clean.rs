//! `clean_resource_name`: each Packer builder that offers it defines its
//! own, after the names its cloud accepts. Bytes, not characters, are
//! replaced, as the Go versions do, so a multi-byte character becomes
//! several dashes.

/// Which builder's `clean_resource_name` a field gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CleanStyle {
    /// AMI names: letters, digits and `()[] ./-'@_`.
    Amazon,
    /// GCE image names: lower-case letters, digits and dashes; names that
    /// are already valid are kept as they are.
    Google,
    /// Azure image names: letters, digits and `._-`, and no trailing
    /// `.`, `-` or `_`.
    Azure,
}

pub(crate) fn clean_resource_name(style: CleanStyle, s: &str) -> String {
    match style {
        CleanStyle::Amazon => replace_bytes(s, |b| {
            b.is_ascii_alphanumeric() || b"()[] ./-'@_".contains(&b)
        }),
        CleanStyle::Google => {
            if is_gce_name(s) {
                return s.to_owned();
            }
            replace_bytes(&s.to_lowercase(), |b| {
                b.is_ascii_lowercase() || b.is_ascii_digit()
            })
        }
        CleanStyle::Azure => {
            let cleaned = replace_bytes(s, |b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
            cleaned.trim_end_matches(['-', '_', '.']).to_owned()
        }
    }
}

fn replace_bytes(s: &str, keep: impl Fn(u8) -> bool) -> String {
    s.bytes()
        .map(|b| if keep(b) { char::from(b) } else { '-' })
        .collect()
}

/// `^[a-z][-a-z0-9]{0,61}[a-z0-9]$`
fn is_gce_name(s: &str) -> bool {
    let b = s.as_bytes();
    let (Some(first), Some(last)) = (b.first(), b.last()) else {
        return false;
    };
    (2..=63).contains(&b.len())
        && first.is_ascii_lowercase()
        && (last.is_ascii_lowercase() || last.is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_keeps_ami_characters() {
        assert_eq!(
            clean_resource_name(CleanStyle::Amazon, "my ami (v1) 2024-01-02T03:04:05Z"),
            "my ami (v1) 2024-01-02T03-04-05Z"
        );
        assert_eq!(clean_resource_name(CleanStyle::Amazon, "é"), "--");
    }

    #[test]
    fn google_lowercases_unless_already_valid() {
        assert_eq!(
            clean_resource_name(CleanStyle::Google, "ok-name-1"),
            "ok-name-1"
        );
        assert_eq!(
            clean_resource_name(CleanStyle::Google, "My_Image.2024"),
            "my-image-2024"
        );
    }

    #[test]
    fn azure_trims_trailing_separators() {
        assert_eq!(
            clean_resource_name(CleanStyle::Azure, "img:v1.0 (x)"),
            "img-v1.0--x"
        );
    }
}
