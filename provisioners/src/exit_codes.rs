//! `valid_exit_codes`, shared by the shell provisioners.

/// A script ended with a code the user did not allow. The wording (and the
/// missing space after the full stop) is Packer's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Script exited with non-zero exit status: {code}.Allowed exit codes are: [{}]", join(.allowed))]
pub struct ExitCodeError {
    pub code: i32,
    pub allowed: Vec<i64>,
}

fn join(codes: &[i64]) -> String {
    codes
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Check `code` against `valid` (`[0]` when unset or empty, as Packer).
pub fn check(code: i32, valid: Option<&[i64]>) -> Result<(), ExitCodeError> {
    let allowed = match valid {
        Some(v) if !v.is_empty() => v.to_vec(),
        _ => vec![0],
    };
    if allowed.contains(&i64::from(code)) {
        Ok(())
    } else {
        Err(ExitCodeError { code, allowed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_zero_and_message_is_packers() {
        assert!(check(0, None).is_ok());
        assert!(check(0, Some(&[])).is_ok());
        assert_eq!(
            check(2, None).map_err(|e| e.to_string()),
            Err("Script exited with non-zero exit status: 2.Allowed exit codes are: [0]".into())
        );
        assert!(check(3, Some(&[0, 3])).is_ok());
        assert_eq!(
            check(4, Some(&[0, 1])).map_err(|e| e.to_string()),
            Err("Script exited with non-zero exit status: 4.Allowed exit codes are: [0 1]".into())
        );
    }
}
