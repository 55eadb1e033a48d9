//! Packer's syntactic check of KMS key ids: a key id, an alias, or the
//! ARN of either.

/// Whether `key` is a key id (`[a-f0-9-]+`), `alias/NAME`, or
/// `arn:aws[-us-gov]:kms:REGION:ACCOUNT:key/ID` / `…:alias/NAME`.
pub(crate) fn valid_kms_key(key: &str) -> bool {
    if is_key_id(key) || is_alias(key) {
        return true;
    }
    let Some(rest) = key
        .strip_prefix("arn:aws:kms:")
        .or_else(|| key.strip_prefix("arn:aws-us-gov:kms:"))
    else {
        return false;
    };
    let mut parts = rest.splitn(3, ':');
    let (Some(region), Some(account), Some(resource)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if !is_region(region) || account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    match resource.strip_prefix("key/") {
        Some(id) => is_key_id(id),
        None => is_alias(resource),
    }
}

fn is_key_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| matches!(b, b'a'..=b'f' | b'0'..=b'9' | b'-'))
}

fn is_alias(s: &str) -> bool {
    s.strip_prefix("alias/").is_some_and(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b))
    })
}

/// `[a-z]{2}-(gov-)?[a-z]+-\d`, as Packer's pattern.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let (first, middle, last) = match parts.as_slice() {
        [a, b, c] => (*a, vec![*b], *c),
        [a, "gov", b, c] => (*a, vec!["gov", *b], *c),
        _ => return false,
    };
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && middle
            .iter()
            .all(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_lowercase()))
        && last.len() == 1
        && last.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packer_accepts_ids_aliases_and_arns() {
        for ok in [
            "12345678-1234-1234-1234-123456789abc",
            "alias/my-key",
            "alias/aws/ebs",
            "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789abc",
            "arn:aws:kms:us-east-1:123456789012:alias/foo",
            "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/foo",
        ] {
            assert!(valid_kms_key(ok), "{ok}");
        }
        // `packer validate` says `"k" is not a valid KMS Key Id.`
        for bad in [
            "k",
            "",
            "alias/",
            "arn:aws:kms:us-east-1:1234:key/abc",
            "arn:aws:kms:useast1:123456789012:key/abc",
        ] {
            assert!(!valid_kms_key(bad), "{bad}");
        }
    }
}
