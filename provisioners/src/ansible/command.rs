//! The `ansible-playbook` and `ansible-galaxy` command lines Packer runs.

use super::config::{non_empty, AnsibleConfig};

/// What the playbook's command line is made of besides the config.
pub struct Run<'a> {
    pub build_name: &'a str,
    pub builder_type: &'a str,
    /// `PackerHTTPAddr`, when the build serves files.
    pub http_addr: &'a str,
    /// `ConnType`: only SSH connections get `--ssh-extra-args`.
    pub conn_type: &'a str,
    pub inventory: &'a str,
    pub playbook: &'a str,
    pub private_key_file: Option<&'a str>,
    /// `ansible_env_vars` as rendered, with Packer's additions.
    pub env_vars: &'a [String],
    /// `extra_arguments` as rendered.
    pub extra_arguments: &'a [String],
}

/// Packer's `createCmdArgs`.
pub fn playbook_args(config: &AnsibleConfig, run: &Run<'_>) -> Vec<String> {
    let mut args = Vec::new();
    if !run.build_name.is_empty() {
        args.push("-e".to_owned());
        args.push(format!("packer_build_name={}", go_quote(run.build_name)));
    }
    args.push("-e".to_owned());
    args.push(format!("packer_builder_type={}", run.builder_type));
    if !run.http_addr.is_empty() {
        args.push("-e".to_owned());
        args.push(format!("packer_http_addr={}", run.http_addr));
    }
    if run.conn_type == "ssh" && run.private_key_file.is_some() {
        args.push("--ssh-extra-args".to_owned());
        if config.ansible_ssh_extra_args.is_empty() {
            args.push("'-o IdentitiesOnly=yes'".to_owned());
        } else {
            args.push(format!("'{}'", config.ansible_ssh_extra_args.join("' '")));
        }
    }
    args.extend(run.extra_arguments.iter().cloned());
    if let Some(key) = run.private_key_file {
        if !has_arg("ansible_password", &args) {
            args.push("-e".to_owned());
            args.push(format!("ansible_ssh_private_key_file={key}"));
        }
    }
    if has_arg("ansible_password", &args)
        && run.conn_type == "ssh"
        && !has_arg("ansible_host_key_checking", &args)
        && !has_arg("ANSIBLE_HOST_KEY_CHECKING", run.env_vars)
    {
        args.push("-e".to_owned());
        args.push("ansible_host_key_checking=False".to_owned());
    }
    args.push("-i".to_owned());
    args.push(run.inventory.to_owned());
    args.push(run.playbook.to_owned());
    args
}

/// Packer's `checkArg`: `name` is one of the `=`-separated parts of an
/// argument.
fn has_arg(name: &str, args: &[String]) -> bool {
    args.iter().any(|a| a.split('=').any(|part| part == name))
}

/// Go's `%q` for the strings a build name holds.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The command line as shown, with the values of `…password…=` and
/// `…secret…=` extra arguments and the build's passwords blanked.
pub fn sanitized(program: &str, args: &[String], extra: &[String], secrets: &[&str]) -> String {
    let mut line = std::iter::once(program.to_owned())
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    for arg in extra {
        if let Some((k, v)) = arg.split_once('=') {
            let k = k.to_ascii_lowercase();
            if (k.contains("password") || k.contains("secret")) && !v.is_empty() {
                line = line.replace(v, "*****");
            }
        }
    }
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        line = line.replace(s, "*****");
    }
    line
}

/// The galaxy installs Packer runs for `galaxy_file`: roles when the file
/// has a `roles:` key or no `collections:` key (the old format), and
/// collections when it has one.
pub fn galaxy_args(config: &AnsibleConfig, galaxy_file: &str, text: &str) -> Vec<Vec<String>> {
    let (has_roles, has_collections) = galaxy_kinds(text);
    let mut out = Vec::new();
    let common = |mut v: Vec<String>| {
        if config.galaxy_force_install {
            v.push("-f".to_owned());
        }
        if config.galaxy_force_with_deps {
            v.push("--force-with-deps".to_owned());
        }
        v
    };
    if has_roles || !has_collections {
        let mut v = common(vec!["install".into(), "-r".into(), galaxy_file.into()]);
        if let Some(p) = non_empty(&config.roles_path) {
            v.push("-p".to_owned());
            v.push(p.to_owned());
        }
        out.push(v);
    }
    if has_collections {
        let mut v = common(vec![
            "collection".into(),
            "install".into(),
            "-r".into(),
            galaxy_file.into(),
        ]);
        if let Some(p) = non_empty(&config.collections_path) {
            v.push("-p".to_owned());
            v.push(p.to_owned());
        }
        out.push(v);
    }
    out
}

/// Whether a requirements file lists roles and collections (Packer's
/// `(?m)^roles:` and `(?m)^collections:`).
pub(crate) fn galaxy_kinds(text: &str) -> (bool, bool) {
    let has_key = |k: &str| text.lines().any(|l| l.starts_with(k));
    (has_key("roles:"), has_key("collections:"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn run<'a>(key: Option<&'a str>, extra: &'a [String], env: &'a [String]) -> Run<'a> {
        Run {
            build_name: "web",
            builder_type: "qemu",
            http_addr: "10.0.2.2:8100",
            conn_type: "ssh",
            inventory: "/tmp/inv",
            playbook: "/p/site.yml",
            private_key_file: key,
            env_vars: env,
            extra_arguments: extra,
        }
    }

    #[test]
    fn packers_extra_vars_key_and_ssh_args_come_in_its_order() {
        let config = AnsibleConfig::default();
        let extra = vec!["-v".to_owned()];
        let args = playbook_args(&config, &run(Some("/k"), &extra, &[]));
        assert_eq!(
            args,
            [
                "-e",
                "packer_build_name=\"web\"",
                "-e",
                "packer_builder_type=qemu",
                "-e",
                "packer_http_addr=10.0.2.2:8100",
                "--ssh-extra-args",
                "'-o IdentitiesOnly=yes'",
                "-v",
                "-e",
                "ansible_ssh_private_key_file=/k",
                "-i",
                "/tmp/inv",
                "/p/site.yml"
            ]
        );
    }

    #[test]
    fn a_password_replaces_the_key_and_turns_off_host_key_checking() {
        let config = AnsibleConfig {
            ansible_ssh_extra_args: vec!["-o A=1".into(), "-o B=2".into()],
            ..Default::default()
        };
        let extra = vec!["-e".to_owned(), "ansible_password=hunter2".to_owned()];
        let args = playbook_args(&config, &run(Some("/k"), &extra, &[]));
        assert!(args.contains(&"'-o A=1' '-o B=2'".to_owned()), "{args:?}");
        assert!(!args.iter().any(|a| a.contains("private_key_file")));
        assert!(args.contains(&"ansible_host_key_checking=False".to_owned()));
        let shown = sanitized("ansible-playbook", &args, &extra, &[]);
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("ansible_password=*****"), "{shown}");
    }

    #[test]
    fn galaxy_installs_roles_and_collections_as_the_file_asks() {
        let config = AnsibleConfig {
            roles_path: Some("/r".into()),
            collections_path: Some("/c".into()),
            galaxy_force_install: true,
            ..Default::default()
        };
        let both = galaxy_args(&config, "req.yml", "roles:\n  - a\ncollections:\n  - b\n");
        assert_eq!(
            both,
            vec![
                vec!["install", "-r", "req.yml", "-f", "-p", "/r"],
                vec!["collection", "install", "-r", "req.yml", "-f", "-p", "/c"],
            ]
        );
        let old = galaxy_args(&config, "req.yml", "- src: x\n");
        assert_eq!(old.len(), 1);
        assert_eq!(old[0][0], "install");
        let only = galaxy_args(&AnsibleConfig::default(), "r", "collections:\n - c\n");
        assert_eq!(only, vec![vec!["collection", "install", "-r", "r"]]);
    }
}
