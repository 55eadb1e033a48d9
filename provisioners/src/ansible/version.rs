//! `ansible-playbook --version`, which Packer runs while it prepares the
//! provisioner, so a missing Ansible is reported before any machine starts.

use super::error::AnsibleError;
use std::process::Command;

/// The version `command --version` reports (`ansible-playbook [core 2.17.1]`).
pub fn check(command: &str) -> Result<String, AnsibleError> {
    let out = Command::new(command)
        .arg("--version")
        .output()
        .map_err(|e| AnsibleError::NotInstalled {
            command: command.to_owned(),
            cause: e.to_string(),
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse(&text).ok_or_else(|| AnsibleError::NoVersion {
        command: command.to_owned(),
        output: text.into_owned(),
    })
}

/// Packer's `\w (\d+\.\d+[.\d+]*)`: the first "word, space, dotted number".
/// Hand-written: the crate has no regex engine for one pattern.
fn parse(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    for i in 1..bytes.len() {
        let word_before = bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_';
        if bytes[i] != b' ' || !word_before {
            continue;
        }
        let rest = &text[i + 1..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let candidate = rest[..end].trim_end_matches('.');
        let mut parts = candidate.split('.');
        let major = parts.next().filter(|p| !p.is_empty());
        let minor = parts.next().filter(|p| !p.is_empty());
        if major.is_some() && minor.is_some() {
            return Some(candidate.to_owned());
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::parse;

    #[test]
    fn versions_are_found_as_packer_finds_them() {
        assert_eq!(
            parse("ansible-playbook [core 2.17.1]\n  config file = None").as_deref(),
            Some("2.17.1")
        );
        assert_eq!(parse("ansible-playbook 2.9.6\n").as_deref(), Some("2.9.6"));
        assert_eq!(parse("ansible 2.10").as_deref(), Some("2.10"));
        assert_eq!(parse("no version here 3"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn a_missing_command_names_itself_and_how_to_install() {
        let e = super::check("/nonexistent/ansible-playbook").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("/nonexistent/ansible-playbook --version"),
            "{text}"
        );
        assert!(text.contains("pip install ansible-core"), "{text}");
    }
}
