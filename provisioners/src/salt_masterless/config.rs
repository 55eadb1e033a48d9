//! `provisioner "salt-masterless"`'s configuration: Packer's fields,
//! defaults and checks, and the `salt-call` command line they make.

use super::formulas::Formula;
use crate::guest;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::go_error;
use serde::Deserialize;

/// Packer's salt-masterless fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaltMasterlessConfig {
    pub local_state_tree: Option<String>,
    pub local_pillar_roots: Option<String>,
    pub remote_state_tree: Option<String>,
    pub remote_pillar_roots: Option<String>,
    pub minion_config: Option<String>,
    pub grains_file: Option<String>,
    pub custom_state: Option<String>,
    pub skip_bootstrap: Option<bool>,
    /// Extra arguments of the bootstrap's `pip install` (Packer: of
    /// bootstrap-salt.sh, whose download site is gone).
    pub bootstrap_args: Option<String>,
    pub disable_sudo: Option<bool>,
    pub temp_config_dir: Option<String>,
    pub no_exit_on_failure: Option<bool>,
    pub log_level: Option<String>,
    pub salt_call_args: Option<String>,
    pub salt_bin_dir: Option<String>,
    pub formulas: Option<Vec<String>>,
    pub guest_os_type: Option<String>,
}

/// Packer's Unix defaults.
pub const STATE_ROOT: &str = "/srv/salt";
pub const PILLAR_ROOT: &str = "/srv/pillar";
pub const CONFIG_DIR: &str = "/etc/salt";
pub const TEMP_DIR: &str = "/tmp/salt";

/// Where the bootstrap puts Salt: a virtual environment.
pub const BOOTSTRAP_PREFIX: &str = "/opt/salt";

const BAD_FORMULA: &str =
    "Invalid formula URL. Please verify the git URLs also contain a '//' subdir";
const REMOTE_WITH_MINION: &str =
    "remote_state_tree and remote_pillar_roots only apply when minion_config is not used";

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl SaltMasterlessConfig {
    pub(crate) fn sudo(&self) -> bool {
        self.disable_sudo != Some(true)
    }

    pub(crate) fn commands(&self) -> guest::GuestCommands {
        guest::GuestCommands { sudo: self.sudo() }
    }

    pub(crate) fn bootstrap(&self) -> bool {
        self.skip_bootstrap != Some(true)
    }

    pub(crate) fn bootstrap_args(&self) -> &str {
        non_empty(&self.bootstrap_args).unwrap_or("")
    }

    pub(crate) fn temp_dir(&self) -> &str {
        non_empty(&self.temp_config_dir).unwrap_or(TEMP_DIR)
    }

    pub(crate) fn state_tree(&self) -> &str {
        non_empty(&self.local_state_tree).unwrap_or("")
    }

    pub(crate) fn remote_state_tree(&self) -> &str {
        non_empty(&self.remote_state_tree).unwrap_or(STATE_ROOT)
    }

    pub(crate) fn remote_pillar_roots(&self) -> &str {
        non_empty(&self.remote_pillar_roots).unwrap_or(PILLAR_ROOT)
    }

    pub(crate) fn exit_on_failure(&self) -> bool {
        self.no_exit_on_failure != Some(true)
    }

    /// `salt_bin_dir`; after kiln's bootstrap, the virtual environment's
    /// `bin` when it is unset.
    pub(crate) fn salt_bin_dir(&self) -> &str {
        match non_empty(&self.salt_bin_dir) {
            Some(d) => d,
            None if self.bootstrap() => "/opt/salt/bin",
            None => "",
        }
    }

    /// The `salt-call` program as the command runs it.
    pub(crate) fn salt_call(&self) -> String {
        match self.salt_bin_dir() {
            "" => "salt-call".to_owned(),
            dir => format!("{}/salt-call", dir.trim_end_matches('/')),
        }
    }

    pub(crate) fn formulas(&self) -> &[String] {
        self.formulas.as_deref().unwrap_or_default()
    }

    /// Packer's arguments after `salt-call --local`.
    pub(crate) fn call_args(&self) -> String {
        let mut args = match non_empty(&self.custom_state) {
            None => "state.highstate".to_owned(),
            Some(state) => format!("state.sls {state}"),
        };
        if non_empty(&self.minion_config).is_none() {
            args.push_str(&format!(
                " --file-root={} --pillar-root={}",
                self.remote_state_tree(),
                self.remote_pillar_roots()
            ));
        }
        if self.exit_on_failure() {
            args.push_str(" --retcode-passthrough");
        }
        args.push_str(" -l ");
        args.push_str(non_empty(&self.log_level).unwrap_or("info"));
        if let Some(extra) = non_empty(&self.salt_call_args) {
            args.push(' ');
            args.push_str(extra);
        }
        args
    }

    /// The whole command Packer runs.
    pub(crate) fn salt_call_command(&self) -> String {
        self.commands().sudo(&format!(
            "{} --local {}",
            self.salt_call(),
            self.call_args()
        ))
    }
}

/// Packer's `validateDirConfig`/`validateFileConfig`.
fn check_path(
    out: &mut Vec<ConfigProblem>,
    field: &'static str,
    value: &Option<String>,
    required: bool,
    want_dir: bool,
) {
    let Some(path) = non_empty(value) else {
        if required {
            out.push(ConfigProblem::field(
                field,
                format!("{field} cannot be empty"),
            ));
        }
        return;
    };
    match std::fs::metadata(path) {
        Err(e) => out.push(ConfigProblem::field(
            field,
            format!(
                "{field}: path '{path}' is invalid: {}",
                go_error::path_error("stat", path, &e)
            ),
        )),
        Ok(m) if want_dir && !m.is_dir() => out.push(ConfigProblem::field(
            field,
            format!("{field}: path '{path}' must point to a directory"),
        )),
        Ok(m) if !want_dir && m.is_dir() => out.push(ConfigProblem::field(
            field,
            format!("{field}: path '{path}' must point to a file"),
        )),
        Ok(_) => {}
    }
}

impl Validate for SaltMasterlessConfig {
    /// Packer's checks, in its order, with its messages.
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        out.extend(guest::os_type_problem(self.guest_os_type.as_deref()));
        check_path(
            &mut out,
            "local_state_tree",
            &self.local_state_tree,
            true,
            true,
        );
        let formulas = self.formulas();
        if formulas.iter().any(|f| Formula::parse(f).is_none()) {
            out.push(ConfigProblem::field("formulas", BAD_FORMULA));
        }
        for f in formulas.iter().filter_map(|f| Formula::parse(f)) {
            if let Some(problem) = f.query_problem() {
                out.push(ConfigProblem::field("formulas", problem));
            }
        }
        check_path(
            &mut out,
            "local_pillar_roots",
            &self.local_pillar_roots,
            false,
            true,
        );
        check_path(&mut out, "minion_config", &self.minion_config, false, false);
        if non_empty(&self.minion_config).is_some()
            && (non_empty(&self.remote_state_tree).is_some()
                || non_empty(&self.remote_pillar_roots).is_some())
        {
            out.push(ConfigProblem::block(REMOTE_WITH_MINION));
        }
        check_path(&mut out, "grains_file", &self.grains_file, false, false);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(c: &SaltMasterlessConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    fn with_tree(dir: &std::path::Path) -> SaltMasterlessConfig {
        SaltMasterlessConfig {
            local_state_tree: Some(dir.display().to_string()),
            ..SaltMasterlessConfig::default()
        }
    }

    #[test]
    fn packers_checks_and_messages() {
        assert_eq!(
            messages(&SaltMasterlessConfig::default()),
            ["local_state_tree cannot be empty"]
        );
        let dir = tempfile::tempdir().expect("test fixture");
        let file = dir.path().join("minion");
        std::fs::write(&file, "file_client: local\n").expect("test fixture");
        let file = file.display().to_string();
        let d = dir.path().display().to_string();
        let c = SaltMasterlessConfig {
            local_state_tree: Some(file.clone()),
            local_pillar_roots: Some("/nonexistent/p".into()),
            minion_config: Some(d.clone()),
            remote_state_tree: Some("/srv/x".into()),
            grains_file: Some(d.clone()),
            formulas: Some(vec!["https://example.com/f.git".into()]),
            guest_os_type: Some("windows".into()),
            ..SaltMasterlessConfig::default()
        };
        assert_eq!(
            messages(&c),
            [
                "guest_os_type \"windows\" is not supported: kiln provisions Unix guests only (it speaks SSH, not WinRM)".to_owned(),
                format!("local_state_tree: path '{file}' must point to a directory"),
                BAD_FORMULA.to_owned(),
                "local_pillar_roots: path '/nonexistent/p' is invalid: stat /nonexistent/p: no such file or directory".to_owned(),
                format!("minion_config: path '{d}' must point to a file"),
                REMOTE_WITH_MINION.to_owned(),
                format!("grains_file: path '{d}' must point to a file"),
            ]
        );
        let ok = SaltMasterlessConfig {
            formulas: Some(vec![
                "git::https://github.com/saltstack-formulas/nginx-formula.git//nginx?ref=v1.0"
                    .into(),
                "file:///srv/git/f.git//f".into(),
            ]),
            ..with_tree(dir.path())
        };
        assert!(messages(&ok).is_empty(), "{:?}", messages(&ok));
    }

    #[test]
    fn the_command_line_is_packers() {
        let dir = tempfile::tempdir().expect("test fixture");
        let c = with_tree(dir.path());
        assert_eq!(
            c.salt_call_command(),
            "sudo /opt/salt/bin/salt-call --local state.highstate --file-root=/srv/salt --pillar-root=/srv/pillar --retcode-passthrough -l info"
        );
        let c = SaltMasterlessConfig {
            skip_bootstrap: Some(true),
            disable_sudo: Some(true),
            custom_state: Some("web,db".into()),
            remote_state_tree: Some("/srv/st".into()),
            remote_pillar_roots: Some("/srv/pl".into()),
            no_exit_on_failure: Some(true),
            log_level: Some("debug".into()),
            salt_call_args: Some("pillar='{\"a\": 1}'".into()),
            ..c
        };
        assert_eq!(
            c.salt_call_command(),
            "salt-call --local state.sls web,db --file-root=/srv/st --pillar-root=/srv/pl -l debug pillar='{\"a\": 1}'"
        );
        let c = SaltMasterlessConfig {
            minion_config: Some("/etc/x".into()),
            remote_state_tree: None,
            remote_pillar_roots: None,
            salt_bin_dir: Some("/usr/local/bin/".into()),
            no_exit_on_failure: None,
            ..c
        };
        assert_eq!(
            c.salt_call_command(),
            "/usr/local/bin/salt-call --local state.sls web,db --retcode-passthrough -l debug pillar='{\"a\": 1}'"
        );
        assert_eq!(c.temp_dir(), "/tmp/salt");
    }
}
