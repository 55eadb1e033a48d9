//! Packer's communicator checks (`communicator.Config.Prepare`), with its
//! messages, plus the settings kiln accepts but cannot honour (WinRM
//! among them, see `winrm`).

use super::key_file::{check_private_key_file, expand_user};
use super::CommConfig;
use kiln_core::component::ConfigProblem;

impl CommConfig {
    /// Everything wrong with these settings, in Packer's order.
    pub fn problems(&self) -> Vec<ConfigProblem> {
        if let Some(p) = self.winrm_problem() {
            return vec![p];
        }
        let mut out = Vec::new();
        match self.kind_name() {
            "ssh" | "" => self.ssh_problems(&mut out),
            "none" | "docker" | "dockerWindowsContainer" => {}
            other => out.push(ConfigProblem::field(
                "communicator",
                format!("Communicator type {other} is invalid"),
            )),
        }
        out
    }

    fn ssh_problems(&self, out: &mut Vec<ConfigProblem>) {
        if is_empty(&self.ssh_username) {
            out.push(ConfigProblem::field(
                "ssh_username",
                "An ssh_username must be specified\n  Note: some builders used to default ssh_username to \"root\".",
            ));
        }
        if let Some(file) = non_empty(&self.ssh_private_key_file) {
            if let Err(e) = check_private_key_file(&expand_user(file)) {
                out.push(ConfigProblem::field(
                    "ssh_private_key_file",
                    format!("ssh_private_key_file is invalid: {e}"),
                ));
            }
        }
        if non_empty(&self.ssh_bastion_host).is_some() && self.ssh_bastion_agent_auth != Some(true)
        {
            // The bastion falls back on the target's key file.
            let key = non_empty(&self.ssh_bastion_private_key_file)
                .or(non_empty(&self.ssh_private_key_file));
            match key {
                None if is_empty(&self.ssh_bastion_password) => out.push(ConfigProblem::block(
                    "ssh_bastion_password or ssh_bastion_private_key_file must be specified",
                )),
                None => {}
                Some(file) => {
                    if let Err(e) = check_private_key_file(&expand_user(file)) {
                        out.push(ConfigProblem::field(
                            "ssh_bastion_private_key_file",
                            format!("ssh_bastion_private_key_file is invalid: {e}"),
                        ));
                    }
                }
            }
        }
        if let Some(m) = self.ssh_file_transfer_method.as_deref() {
            if !m.is_empty() && m != "scp" && m != "sftp" {
                out.push(ConfigProblem::field(
                    "ssh_file_transfer_method",
                    format!(
                        "ssh_file_transfer_method ('{m}') is invalid, valid methods: sftp, scp"
                    ),
                ));
            }
        }
        if non_empty(&self.ssh_bastion_host).is_some() && non_empty(&self.ssh_proxy_host).is_some()
        {
            out.push(ConfigProblem::block(
                "please specify either ssh_bastion_host or ssh_proxy_host, not both",
            ));
        }
        self.unsupported_problems(out);
    }

    /// Settings Packer has that libssh2 (or kiln, so far) cannot honour:
    /// better refused than silently ignored.
    fn unsupported_problems(&self, out: &mut Vec<ConfigProblem>) {
        let unsupported: [(&'static str, bool, &str); 6] = [
            (
                "ssh_certificate_file",
                non_empty(&self.ssh_certificate_file).is_some(),
                "libssh2 cannot authenticate with OpenSSH certificates",
            ),
            (
                "ssh_bastion_certificate_file",
                non_empty(&self.ssh_bastion_certificate_file).is_some(),
                "libssh2 cannot authenticate with OpenSSH certificates",
            ),
            (
                "ssh_bastion_interactive",
                self.ssh_bastion_interactive == Some(true),
                "keyboard-interactive prompts are not supported",
            ),
            (
                "ssh_local_tunnels",
                self.ssh_local_tunnels
                    .as_ref()
                    .is_some_and(|t| !t.is_empty()),
                "SSH tunnels are not supported yet",
            ),
            (
                "ssh_remote_tunnels",
                self.ssh_remote_tunnels
                    .as_ref()
                    .is_some_and(|t| !t.is_empty()),
                "SSH tunnels are not supported yet",
            ),
            (
                "temporary_key_pair_type",
                self.temporary_key_pair_type
                    .as_deref()
                    .is_some_and(|t| !t.is_empty() && t != "ed25519"),
                "kiln's temporary key pairs are ed25519",
            ),
        ];
        for (field, set, why) in unsupported {
            if set {
                out.push(ConfigProblem::field(
                    field,
                    format!("{field} is not supported by kiln: {why}"),
                ));
            }
        }
    }
}

pub(crate) fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

fn is_empty(v: &Option<String>) -> bool {
    non_empty(v).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: &CommConfig) -> Vec<String> {
        c.problems().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn none_needs_nothing() {
        let c = CommConfig {
            communicator: Some("none".into()),
            ..CommConfig::default()
        };
        assert!(c.problems().is_empty());
    }

    #[test]
    fn packer_messages_in_packer_order() {
        // The same settings as a Packer 1.6.6 run recorded by hand.
        let c = CommConfig {
            ssh_host: Some("127.0.0.1".into()),
            ssh_bastion_host: Some("h".into()),
            ssh_file_transfer_method: Some("ftp".into()),
            ssh_private_key_file: Some("/nonexist".into()),
            ssh_proxy_host: Some("p".into()),
            ..CommConfig::default()
        };
        assert_eq!(
            messages(&c),
            [
                "An ssh_username must be specified\n  Note: some builders used to default ssh_username to \"root\".",
                "ssh_private_key_file is invalid: stat /nonexist: no such file or directory",
                "ssh_bastion_private_key_file is invalid: stat /nonexist: no such file or directory",
                "ssh_file_transfer_method ('ftp') is invalid, valid methods: sftp, scp",
                "please specify either ssh_bastion_host or ssh_proxy_host, not both",
            ]
        );
    }

    #[test]
    fn bad_communicators() {
        let c = CommConfig {
            communicator: Some("foo".into()),
            ..CommConfig::default()
        };
        assert_eq!(messages(&c), ["Communicator type foo is invalid"]);
    }

    #[test]
    fn bastion_needs_credentials_and_unsupported_settings_are_refused() {
        let c = CommConfig {
            ssh_username: Some("u".into()),
            ssh_bastion_host: Some("b".into()),
            ssh_certificate_file: Some("c".into()),
            ssh_local_tunnels: Some(vec!["8080:localhost:80".into()]),
            ..CommConfig::default()
        };
        let m = messages(&c);
        assert_eq!(
            m[0],
            "ssh_bastion_password or ssh_bastion_private_key_file must be specified"
        );
        assert!(m[1].starts_with("ssh_certificate_file is not supported by kiln"));
        assert!(m[2].starts_with("ssh_local_tunnels is not supported by kiln"));
        assert_eq!(m.len(), 3);
    }
}
