//! `disk_size`: digits with an optional unit letter (b, k, m, g, t);
//! plain digits mean megabytes (Packer's rule).

/// The size as qemu-img takes it (`40960M`, `10G`), or `None` when Packer
/// would say "Invalid disk size.". Empty and `0` are the default.
pub fn normalize_disk_size(raw: &str) -> Option<String> {
    if raw.is_empty() || raw == "0" {
        return Some("40960M".into());
    }
    let lower = raw.to_ascii_lowercase();
    let (digits, unit) = match lower.char_indices().last() {
        Some((i, c)) if "bkmgt".contains(c) => (&raw[..i], Some(c)),
        _ => (raw, None),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match unit {
        None => format!("{raw}M"),
        Some(_) => raw.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packer_rules() {
        assert_eq!(normalize_disk_size("").as_deref(), Some("40960M"));
        assert_eq!(normalize_disk_size("0").as_deref(), Some("40960M"));
        assert_eq!(normalize_disk_size("5000").as_deref(), Some("5000M"));
        assert_eq!(normalize_disk_size("40G").as_deref(), Some("40G"));
        assert_eq!(normalize_disk_size("1t").as_deref(), Some("1t"));
        assert_eq!(normalize_disk_size("12x"), None);
        assert_eq!(normalize_disk_size("G"), None);
        assert_eq!(normalize_disk_size("1.5G"), None);
    }
}
