//! `provisioner "puppet-masterless"`'s configuration: Packer's fields,
//! defaults and checks, and the data its `execute_command` sees.

use crate::guest;
use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::go_error;
use kiln_template::legacy::LegacyContext;
use kiln_template::Value;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Packer's puppet-masterless fields (Windows' `elevated_*` are not
/// taken: kiln has no Windows guests).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PuppetMasterlessConfig {
    pub manifest_file: Option<String>,
    pub manifest_dir: Option<String>,
    pub module_paths: Option<Vec<String>>,
    pub hiera_config_path: Option<String>,
    pub facter: Option<BTreeMap<String, String>>,
    pub extra_arguments: Option<Vec<String>>,
    pub execute_command: Option<String>,
    pub prevent_sudo: Option<bool>,
    pub puppet_bin_dir: Option<String>,
    pub staging_directory: Option<String>,
    pub working_directory: Option<String>,
    pub clean_staging_directory: Option<bool>,
    pub ignore_exit_codes: Option<bool>,
    pub guest_os_type: Option<String>,
}

/// Packer's Unix `execute_command`. `--manifestdir` (from `manifest_dir`)
/// is Puppet 3's: Puppet 4 and later refuse it, as with Packer.
pub const DEFAULT_EXECUTE_COMMAND: &str = concat!(
    "cd {{.WorkingDir}} && ",
    r#"{{if ne .FacterVars ""}}{{.FacterVars}} {{end}}"#,
    "{{if .Sudo}}sudo -E {{end}}",
    r#"{{if ne .PuppetBinDir ""}}{{.PuppetBinDir}}/{{end}}"#,
    "puppet apply --detailed-exitcodes ",
    "{{if .Debug}}--debug {{end}}",
    r#"{{if ne .ModulePath ""}}--modulepath='{{.ModulePath}}' {{end}}"#,
    r#"{{if ne .HieraConfigPath ""}}--hiera_config='{{.HieraConfigPath}}' {{end}}"#,
    r#"{{if ne .ManifestDir ""}}--manifestdir='{{.ManifestDir}}' {{end}}"#,
    r#"{{if ne .ExtraArguments ""}}{{.ExtraArguments}} {{end}}"#,
    "{{.ManifestFile}}",
);

/// Packer's Unix staging directory.
pub const DEFAULT_STAGING_DIR: &str = "/tmp/packer-puppet-masterless";

/// Packer's Unix joiner of `module_paths` in `--modulepath`.
pub const MODULE_PATH_JOINER: &str = ":";

const NO_MANIFEST: &str = "A manifest_file must be specified.";

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl PuppetMasterlessConfig {
    pub(crate) fn execute_command(&self) -> &str {
        non_empty(&self.execute_command).unwrap_or(DEFAULT_EXECUTE_COMMAND)
    }

    pub(crate) fn staging_dir(&self) -> &str {
        non_empty(&self.staging_directory).unwrap_or(DEFAULT_STAGING_DIR)
    }

    /// `working_directory`, the staging directory by default.
    pub(crate) fn working_dir(&self) -> &str {
        non_empty(&self.working_directory).unwrap_or_else(|| self.staging_dir())
    }

    pub(crate) fn sudo(&self) -> bool {
        self.prevent_sudo != Some(true)
    }

    pub(crate) fn commands(&self) -> guest::GuestCommands {
        guest::GuestCommands { sudo: self.sudo() }
    }

    pub(crate) fn puppet_bin_dir(&self) -> &str {
        non_empty(&self.puppet_bin_dir).unwrap_or("")
    }

    /// The `puppet` program as the command runs it.
    pub(crate) fn puppet_program(&self) -> String {
        match self.puppet_bin_dir() {
            "" => "puppet".to_owned(),
            dir => format!("{dir}/puppet"),
        }
    }

    pub(crate) fn ignore_exit_codes(&self) -> bool {
        self.ignore_exit_codes == Some(true)
    }

    pub(crate) fn clean_staging_dir(&self) -> bool {
        self.clean_staging_directory == Some(true)
    }

    /// `facter` plus Packer's own two facts (which win, as in Packer).
    pub(crate) fn facts(&self, build_name: &str, builder_type: &str) -> BTreeMap<String, String> {
        let mut facts = self.facter.clone().unwrap_or_default();
        facts.insert("packer_build_name".into(), build_name.into());
        facts.insert("packer_builder_type".into(), builder_type.into());
        facts
    }
}

/// `FACTER_name='value'` for each fact, space-separated (Packer's Unix
/// format). Sorted by name, where Packer's order is Go's random map
/// order; a `'` in a value is escaped, where Packer's quoting breaks.
pub(crate) fn facter_vars(facts: &BTreeMap<String, String>) -> String {
    facts
        .iter()
        .map(|(k, v)| format!("FACTER_{k}={}", guest::quote(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The fields of Packer's `ExecuteTemplate`, for `execute_command` and
/// `extra_arguments`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ExecuteData {
    pub extra_arguments: String,
    pub facter_vars: String,
    pub hiera_config_path: String,
    pub manifest_dir: String,
    pub manifest_file: String,
    pub module_path: String,
    pub puppet_bin_dir: String,
    pub sudo: bool,
    pub working_dir: String,
}

impl ExecuteData {
    /// A struct-backed context as Packer's: a field it lacks is an error,
    /// `build_name`/`build_type` are this build's.
    pub fn context(&self, build_name: &str, builder_type: &str) -> LegacyContext {
        let s = |v: &str| Value::from(v);
        let data: BTreeMap<String, Value> = [
            ("Debug", Value::from(false)),
            ("ExtraArguments", s(&self.extra_arguments)),
            ("FacterVars", s(&self.facter_vars)),
            ("HieraConfigPath", s(&self.hiera_config_path)),
            ("ManifestDir", s(&self.manifest_dir)),
            ("ManifestFile", s(&self.manifest_file)),
            ("ModulePath", s(&self.module_path)),
            ("ModulePathJoiner", s(MODULE_PATH_JOINER)),
            ("PuppetBinDir", s(&self.puppet_bin_dir)),
            ("Sudo", Value::from(self.sudo)),
            ("WorkingDir", s(&self.working_dir)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let mut ctx = LegacyContext::new(data);
        ctx.funcs.build_name = Some(build_name.to_owned());
        ctx.funcs.build_type = Some(builder_type.to_owned());
        ctx
    }
}

fn stat(path: &str) -> Result<std::fs::Metadata, String> {
    std::fs::metadata(path).map_err(|e| go_error::path_error("stat", path, &e))
}

impl Validate for PuppetMasterlessConfig {
    /// Packer's checks, in its order, with its messages.
    fn validate(&self) -> Vec<ConfigProblem> {
        let mut out = Vec::new();
        out.extend(guest::os_type_problem(self.guest_os_type.as_deref()));
        if let Some(path) = non_empty(&self.hiera_config_path) {
            match stat(path) {
                Err(e) => out.push(ConfigProblem::field(
                    "hiera_config_path",
                    format!("hiera_config_path is invalid: {e}"),
                )),
                Ok(m) if m.is_dir() => out.push(ConfigProblem::field(
                    "hiera_config_path",
                    "hiera_config_path must point to a file",
                )),
                Ok(_) => {}
            }
        }
        if let Some(path) = non_empty(&self.manifest_dir) {
            match stat(path) {
                Err(e) => out.push(ConfigProblem::field(
                    "manifest_dir",
                    format!("manifest_dir is invalid: {e}"),
                )),
                Ok(m) if !m.is_dir() => out.push(ConfigProblem::field(
                    "manifest_dir",
                    "manifest_dir must point to a directory",
                )),
                Ok(_) => {}
            }
        }
        match non_empty(&self.manifest_file) {
            None => out.push(ConfigProblem::field("manifest_file", NO_MANIFEST)),
            Some(path) => {
                if let Err(e) = stat(path) {
                    out.push(ConfigProblem::field(
                        "manifest_file",
                        format!("manifest_file is invalid: {e}"),
                    ));
                }
            }
        }
        for (i, path) in self.module_paths.iter().flatten().enumerate() {
            match stat(path) {
                Err(e) => out.push(ConfigProblem::field(
                    "module_paths",
                    format!("module_path[{i}] is invalid: {e}"),
                )),
                Ok(m) if !m.is_dir() => out.push(ConfigProblem::field(
                    "module_paths",
                    format!("module_path[{i}] must point to a directory"),
                )),
                Ok(_) => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_template::legacy;

    fn messages(c: &PuppetMasterlessConfig) -> Vec<String> {
        c.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn packers_checks_and_messages() {
        assert_eq!(messages(&PuppetMasterlessConfig::default()), [NO_MANIFEST]);
        let dir = tempfile::tempdir().expect("test fixture");
        let file = dir.path().join("site.pp");
        std::fs::write(&file, "notice('x')\n").expect("test fixture");
        let file = file.display().to_string();
        let d = dir.path().display().to_string();
        let c = PuppetMasterlessConfig {
            manifest_file: Some("/nonexistent/site.pp".into()),
            manifest_dir: Some(file.clone()),
            hiera_config_path: Some(d.clone()),
            module_paths: Some(vec![d.clone(), file.clone(), "/nonexistent/m".into()]),
            guest_os_type: Some("windows".into()),
            ..PuppetMasterlessConfig::default()
        };
        assert_eq!(
            messages(&c),
            [
                "guest_os_type \"windows\" is not supported: kiln provisions Unix guests only (it speaks SSH, not WinRM)",
                "hiera_config_path must point to a file",
                "manifest_dir must point to a directory",
                "manifest_file is invalid: stat /nonexistent/site.pp: no such file or directory",
                "module_path[1] must point to a directory",
                "module_path[2] is invalid: stat /nonexistent/m: no such file or directory",
            ]
        );
        // A directory is a manifest_file too (Puppet's main manifest dir).
        for manifest in [file, d] {
            let ok = PuppetMasterlessConfig {
                manifest_file: Some(manifest),
                ..PuppetMasterlessConfig::default()
            };
            assert!(messages(&ok).is_empty());
        }
    }

    #[test]
    fn defaults_are_packers() {
        let c = PuppetMasterlessConfig::default();
        assert_eq!(c.staging_dir(), "/tmp/packer-puppet-masterless");
        assert_eq!(c.working_dir(), "/tmp/packer-puppet-masterless");
        assert!(c.sudo());
        assert_eq!(c.puppet_program(), "puppet");
        let c = PuppetMasterlessConfig {
            staging_directory: Some("/var/stage".into()),
            puppet_bin_dir: Some("/opt/puppetlabs/bin".into()),
            prevent_sudo: Some(true),
            ..c
        };
        assert_eq!(c.working_dir(), "/var/stage");
        assert!(!c.sudo());
        assert_eq!(c.puppet_program(), "/opt/puppetlabs/bin/puppet");
        let facts = c.facts("app", "oci");
        assert_eq!(
            facter_vars(&facts),
            "FACTER_packer_build_name='app' FACTER_packer_builder_type='oci'"
        );
    }

    #[test]
    fn the_default_command_line_is_packers() {
        let mut facts = BTreeMap::new();
        facts.insert("role".to_owned(), "it's web".to_owned());
        let data = ExecuteData {
            facter_vars: facter_vars(&facts),
            manifest_file: "/tmp/p/manifests/site.pp".into(),
            working_dir: "/tmp/p".into(),
            sudo: true,
            ..ExecuteData::default()
        };
        let cmd = legacy::render_once(DEFAULT_EXECUTE_COMMAND, &data.context("a", "oci"));
        assert_eq!(
            cmd.as_deref(),
            Ok("cd /tmp/p && FACTER_role='it'\\''s web' sudo -E puppet apply --detailed-exitcodes /tmp/p/manifests/site.pp")
        );
        let all = ExecuteData {
            extra_arguments: "--noop --verbose".into(),
            hiera_config_path: "/tmp/p/hiera.yaml".into(),
            manifest_dir: "/tmp/p/manifests".into(),
            module_path: ["/tmp/p/module-0", "/tmp/p/module-1"].join(MODULE_PATH_JOINER),
            puppet_bin_dir: "/opt/puppetlabs/bin".into(),
            sudo: false,
            ..data
        };
        let cmd = legacy::render_once(DEFAULT_EXECUTE_COMMAND, &all.context("a", "oci"));
        assert_eq!(
            cmd.as_deref(),
            Ok("cd /tmp/p && FACTER_role='it'\\''s web' /opt/puppetlabs/bin/puppet apply --detailed-exitcodes --modulepath='/tmp/p/module-0:/tmp/p/module-1' --hiera_config='/tmp/p/hiera.yaml' --manifestdir='/tmp/p/manifests' --noop --verbose /tmp/p/manifests/site.pp")
        );
        // The joiner and Packer's functions are there for custom commands;
        // a field Packer's template lacks is an error, as in Packer.
        let custom = legacy::render_once(
            "{{.ModulePathJoiner}} {{build_name}} {{build_type}}",
            &all.context("a", "oci"),
        );
        assert_eq!(custom.as_deref(), Ok(": a oci"));
        assert!(legacy::render_once("{{.Nope}}", &all.context("a", "oci")).is_err());
    }
}
