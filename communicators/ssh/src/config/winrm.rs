//! Packer's WinRM communicator, which kiln does not have: a template that
//! asks for it gets one error naming the reason, however many `winrm_*`
//! fields it sets (fields beside another communicator are ignored, as in
//! Packer).

use super::CommConfig;
use kiln_core::component::ConfigProblem;

const NOT_SUPPORTED: &str = "the winrm communicator is not supported: kiln builds Linux images over SSH; use communicator = \"ssh\" (or \"none\")";

impl CommConfig {
    /// The one problem for a block that uses WinRM, pointed at
    /// `communicator = "winrm"`, else at its first `winrm_*` field.
    ///
    /// `winrm_*` fields next to a communicator that is not WinRM are
    /// ignored, as Packer ignores them (templates shared between Windows
    /// and Linux builds carry them): only a block that names no
    /// communicator and has no `ssh_username` either, so that it can only
    /// have meant WinRM, gets the error instead of the SSH checks' noise.
    pub fn winrm_problem(&self) -> Option<ConfigProblem> {
        match self.communicator.as_deref() {
            Some("winrm") => return Some(ConfigProblem::field("communicator", NOT_SUPPORTED)),
            Some(_) => return None,
            None if self.ssh_username.is_some() => return None,
            None => {}
        }
        self.winrm_fields_set()
            .first()
            .map(|field| ConfigProblem::field(field, NOT_SUPPORTED))
    }

    /// The `winrm_*` fields given, in Packer's declaration order.
    fn winrm_fields_set(&self) -> Vec<&'static str> {
        [
            ("winrm_username", self.winrm_username.is_some()),
            ("winrm_password", self.winrm_password.is_some()),
            ("winrm_host", self.winrm_host.is_some()),
            ("winrm_no_proxy", self.winrm_no_proxy.is_some()),
            ("winrm_port", self.winrm_port.is_some()),
            ("winrm_timeout", self.winrm_timeout.is_some()),
            ("winrm_use_ssl", self.winrm_use_ssl.is_some()),
            ("winrm_insecure", self.winrm_insecure.is_some()),
            ("winrm_use_ntlm", self.winrm_use_ntlm.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, set)| set.then_some(field))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winrm_communicator_is_one_problem_at_communicator() {
        let c = CommConfig {
            communicator: Some("winrm".into()),
            winrm_username: Some("Administrator".into()),
            winrm_password: Some("p".into()),
            winrm_use_ssl: Some(true),
            ..CommConfig::default()
        };
        let p = c.problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].field, Some("communicator"));
        assert!(p[0]
            .message
            .starts_with("the winrm communicator is not supported"));
    }

    #[test]
    fn winrm_fields_alone_are_one_problem_at_the_first_field() {
        // No ssh_username either: the ssh checks would only add noise.
        let c = CommConfig {
            winrm_timeout: Some("30m".parse().unwrap()),
            winrm_insecure: Some(false),
            ..CommConfig::default()
        };
        let p = c.problems();
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].field, Some("winrm_timeout"));
        assert_eq!(p[0].message, NOT_SUPPORTED);
    }

    #[test]
    fn every_packer_winrm_field_decodes() {
        let c: CommConfig = serde_json::from_value(serde_json::json!({
            "communicator": "winrm",
            "winrm_username": "u",
            "winrm_password": "p",
            "winrm_host": "h",
            "winrm_no_proxy": true,
            "winrm_port": 5986,
            "winrm_timeout": "1h",
            "winrm_use_ssl": true,
            "winrm_insecure": true,
            "winrm_use_ntlm": true,
        }))
        .unwrap();
        assert_eq!(c.winrm_fields_set().len(), 9);
    }

    #[test]
    fn winrm_fields_beside_ssh_are_ignored_as_in_packer() {
        for c in [
            CommConfig {
                communicator: Some("ssh".into()),
                ssh_username: Some("u".into()),
                winrm_username: Some("Administrator".into()),
                ..CommConfig::default()
            },
            CommConfig {
                ssh_username: Some("u".into()),
                winrm_timeout: Some("30m".parse().unwrap()),
                ..CommConfig::default()
            },
        ] {
            assert!(c.winrm_problem().is_none(), "{c:?}");
            assert!(c.problems().is_empty(), "{:?}", c.problems());
        }
    }

    #[test]
    fn ssh_alone_has_no_winrm_problem() {
        let c = CommConfig {
            ssh_username: Some("u".into()),
            ..CommConfig::default()
        };
        assert!(c.winrm_problem().is_none());
    }
}
