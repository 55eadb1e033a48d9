//! `provisioner "ansible-local"`: upload playbooks, roles and variables
//! to the machine and run `ansible-playbook -c local` there, through any
//! communicator, with packer-plugin-ansible's layout and command line.

mod config;
mod error;

pub use config::AnsibleLocalConfig;
pub use error::AnsibleLocalError;

use crate::ansible::command::galaxy_kinds;
use config::{set, DEFAULT_STAGING_DIR};
use kiln_core::{BuildError, Communicator, ProvisionCtx, Provisioner, UiLines};
use std::path::{Path, PathBuf};

pub struct AnsibleLocal {
    config: AnsibleLocalConfig,
    /// Chosen once, as Packer does when it prepares the provisioner.
    staging: String,
}

impl From<AnsibleLocalConfig> for AnsibleLocal {
    fn from(config: AnsibleLocalConfig) -> AnsibleLocal {
        let staging = set(&config.staging_directory)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{DEFAULT_STAGING_DIR}/{}", time_ordered_uuid()));
        AnsibleLocal { config, staging }
    }
}

/// Packer's `uuid.TimeOrderedUUID`: the time in the first fields, random
/// after, so staging directories sort by creation.
fn time_ordered_uuid() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let r = getrandom::u64().unwrap_or(0);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        nanos >> 32,
        (nanos >> 16) & 0xffff,
        nanos & 0xffff,
        r >> 48,
        r & 0xffff_ffff_ffff
    )
}

fn base(p: &str) -> String {
    Path::new(p)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn join(dir: &str, rest: &str) -> String {
    format!(
        "{}/{}",
        dir.trim_end_matches('/'),
        rest.trim_start_matches('/')
    )
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn comm_err(what: &'static str) -> impl Fn(kiln_core::CommError) -> BuildError {
    move |source| BuildError::failed(AnsibleLocalError::Comm { what, source })
}

struct Run<'a> {
    ctx: &'a ProvisionCtx<'a>,
    comm: &'a dyn Communicator,
}

impl Run<'_> {
    /// Run `command` on the machine, its output under the build's prefix.
    fn exec(&self, command: &str, what: &'static str) -> Result<i32, BuildError> {
        let mut out = UiLines::new(self.ctx.ui);
        let r = self.comm.exec(command, &mut out, self.ctx.cancel);
        out.flush();
        if let Some(reason) = self.ctx.cancel.reason() {
            return Err(BuildError::from_reason(reason, None));
        }
        r.map_err(comm_err(what))
    }

    fn create_dir(&self, dir: &str, what: &'static str) -> Result<(), BuildError> {
        self.ctx.ui.message(&format!("Creating directory: {dir}"));
        if self.exec(&format!("mkdir -p {}", quote(dir)), what)? != 0 {
            return Err(BuildError::failed(AnsibleLocalError::CreateDir { what }));
        }
        Ok(())
    }

    fn upload_dir(&self, dst: &str, src: &str, what: &'static str) -> Result<(), BuildError> {
        self.create_dir(dst, what)?;
        // The trailing slash copies the contents, not the directory.
        let src = format!("{}/", src.trim_end_matches('/'));
        self.comm
            .upload_dir(dst, Path::new(&src))
            .map_err(comm_err(what))
    }

    fn upload_file(&self, dst: &str, src: &Path, what: &'static str) -> Result<(), BuildError> {
        self.comm.upload_file(dst, src).map_err(comm_err(what))
    }
}

impl Provisioner for AnsibleLocal {
    /// Everything it uploads.
    fn cache_inputs(&self) -> Option<Vec<std::path::PathBuf>> {
        let c = &self.config;
        let lists = c
            .playbook_files
            .iter()
            .chain(&c.playbook_paths)
            .chain(&c.role_paths)
            .chain(&c.collection_paths)
            .map(|s| Some(s.clone()))
            .collect::<Vec<_>>();
        let mut all = crate::cache_inputs::named([
            &c.playbook_file,
            &c.playbook_dir,
            &c.group_vars,
            &c.host_vars,
            &c.inventory_file,
            &c.galaxy_file,
        ]);
        all.extend(crate::cache_inputs::named(&lists));
        Some(all)
    }

    fn provision(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), BuildError> {
        let c = &self.config;
        let s = self.staging.as_str();
        let run = Run { ctx, comm };
        let ui = ctx.ui;
        ui.say("Provisioning with Ansible...");
        if let Some(dir) = set(&c.playbook_dir) {
            ui.message("Uploading Playbook directory to Ansible staging directory...");
            run.upload_dir(s, dir, "Error uploading playbook_dir directory")?;
        } else {
            ui.message("Creating Ansible staging directory...");
            run.create_dir(s, "Error creating staging directory")?;
        }
        let mut playbooks = Vec::new();
        if let Some(f) = set(&c.playbook_file) {
            ui.message("Uploading main Playbook file...");
            let dst = join(s, &base(f));
            run.upload_file(&dst, Path::new(f), "Error uploading main playbook")?;
            playbooks.push(dst);
        } else {
            playbooks = self.upload_playbook_files(&run)?;
        }
        // Held until the run ends: the generated inventory.
        let mut generated = None;
        let inventory_src: PathBuf = match set(&c.inventory_file) {
            Some(f) => f.into(),
            None => {
                let text = if c.inventory_groups.is_empty() {
                    "127.0.0.1".to_owned()
                } else {
                    c.inventory_groups
                        .iter()
                        .map(|g| format!("[{g}]\n127.0.0.1\n"))
                        .collect()
                };
                let f = tempfile::Builder::new()
                    .prefix("packer-provisioner-ansible-local")
                    .tempfile()
                    .and_then(|mut f| {
                        std::io::Write::write_all(&mut f, text.as_bytes())?;
                        Ok(f.into_temp_path())
                    })
                    .map_err(|e| BuildError::failed(AnsibleLocalError::Inventory(e)))?;
                let p = f.to_path_buf();
                generated = Some(f);
                p
            }
        };
        if let Some(g) = set(&c.galaxy_file) {
            ui.message("Uploading galaxy file...");
            run.upload_file(
                &join(s, &base(g)),
                Path::new(g),
                "Error uploading galaxy file",
            )?;
        }
        ui.message("Uploading inventory file...");
        let inventory = join(s, &base(&inventory_src.to_string_lossy()));
        run.upload_file(&inventory, &inventory_src, "Error uploading inventory file")?;
        if let Some(d) = set(&c.group_vars) {
            ui.message("Uploading group_vars directory...");
            run.upload_dir(
                &join(s, "group_vars"),
                d,
                "Error uploading group_vars directory",
            )?;
        }
        if let Some(d) = set(&c.host_vars) {
            ui.message("Uploading host_vars directory...");
            run.upload_dir(
                &join(s, "host_vars"),
                d,
                "Error uploading host_vars directory",
            )?;
        }
        if !c.role_paths.is_empty() {
            ui.message("Uploading role directories...");
            for d in &c.role_paths {
                let dst = join(s, &format!("roles/{}", base(d)));
                run.upload_dir(&dst, d, "Error uploading roles")?;
            }
        }
        if !c.collection_paths.is_empty() {
            ui.message("Uploading collection directories...");
            for d in &c.collection_paths {
                let dst = join(s, &format!("collections/{}", base(d)));
                run.upload_dir(&dst, d, "Error uploading collections")?;
            }
        }
        if !c.playbook_paths.is_empty() {
            ui.message("Uploading additional Playbooks...");
            let dir = join(s, "playbooks");
            run.create_dir(&dir, "Error creating playbooks directory")?;
            for d in &c.playbook_paths {
                run.upload_dir(&join(&dir, &base(d)), d, "Error uploading playbooks")?;
            }
        }
        self.execute(&run, &playbooks, &inventory)?;
        drop(generated);
        if c.clean_staging_directory {
            ui.message("Removing staging directory...");
            ui.message(&format!("Removing directory: {s}"));
            if run.exec(
                &format!("rm -rf {}", quote(s)),
                "Error removing staging directory",
            )? != 0
            {
                return Err(BuildError::failed(AnsibleLocalError::Clean));
            }
        }
        Ok(())
    }
}

impl AnsibleLocal {
    /// `playbook_files`: those inside `playbook_dir` are already there;
    /// the others go to the staging directory under their absolute path.
    fn upload_playbook_files(&self, run: &Run<'_>) -> Result<Vec<String>, BuildError> {
        let dir = set(&self.config.playbook_dir)
            .and_then(|d| kiln_gocompat::path::abs(Path::new(d)).ok())
            .map(|d| d.display().to_string());
        let mut out = Vec::new();
        for f in &self.config.playbook_files {
            let abs = kiln_gocompat::path::abs(Path::new(f))
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| f.clone());
            if let Some(rest) = dir.as_deref().and_then(|d| abs.strip_prefix(d)) {
                out.push(join(&self.staging, rest));
                continue;
            }
            run.ctx
                .ui
                .message(&format!("Uploading playbook file: {abs}"));
            let remote = join(&self.staging, &abs);
            let remote_dir = remote.rsplit_once('/').map(|(d, _)| d).unwrap_or("/");
            let failed = |source| {
                BuildError::failed(AnsibleLocalError::PlaybookFile {
                    file: abs.clone(),
                    source,
                })
            };
            run.create_dir(remote_dir, "Error uploading playbook file")?;
            run.comm
                .upload_file(&remote, Path::new(&abs))
                .map_err(failed)?;
            out.push(remote);
        }
        Ok(out)
    }

    fn execute(
        &self,
        run: &Run<'_>,
        playbooks: &[String],
        inventory: &str,
    ) -> Result<(), BuildError> {
        let c = &self.config;
        let s = &self.staging;
        let g = run.ctx.generated;
        let roles_path = set(&c.galaxy_roles_path)
            .map(str::to_owned)
            .unwrap_or_else(|| join(s, "galaxy_roles"));
        let collections_path = set(&c.galaxy_collections_path)
            .map(str::to_owned)
            .unwrap_or_else(|| join(s, "galaxy_collections"));
        let (mut has_roles, mut has_collections) = (false, false);
        if let Some(galaxy) = set(&c.galaxy_file) {
            let text = std::fs::read_to_string(galaxy).map_err(|source| {
                BuildError::failed(AnsibleLocalError::Read {
                    path: galaxy.to_owned(),
                    source,
                })
            })?;
            (has_roles, has_collections) = galaxy_kinds(&text);
            let remote = join(s, &base(galaxy));
            let force = if c.galaxy_force_install { " -f" } else { "" };
            let mut installs = Vec::new();
            if has_roles || !has_collections {
                installs.push(format!("install -r {remote} -p {roles_path}{force}"));
            }
            if has_collections {
                installs.push(format!(
                    "collection install -r {remote} -p {collections_path}{force}"
                ));
            }
            for args in installs {
                let command = format!("cd {s} && {} {args}", c.galaxy_command());
                run.ctx
                    .ui
                    .message(&format!("Executing Ansible Galaxy: {command}"));
                let code = run.exec(&command, "Error executing Ansible Galaxy")?;
                if code != 0 {
                    return Err(BuildError::failed(AnsibleLocalError::Galaxy(code)));
                }
            }
        }
        let get = |k: &str| g.get(k).map(String::as_str).unwrap_or_default();
        // Packer's exact text, `-o IdentitiesOnly=yes` inside the extra
        // vars included: ansible ignores the word without `=` and sets
        // `IdentitiesOnly`, and playbooks written for Packer may read it.
        let mut extra = format!(
            " --extra-vars \"packer_build_name={} packer_builder_type={} packer_http_addr={} -o IdentitiesOnly=yes\" ",
            run.ctx.info.source_name,
            run.ctx.info.builder_type,
            get("PackerHTTPAddr")
        );
        if !c.extra_arguments.is_empty() {
            extra.push_str(&c.extra_arguments.join(" "));
        }
        let mut env = String::new();
        let mut collections = Vec::new();
        if has_collections {
            collections.push(collections_path.clone());
        }
        if !c.collection_paths.is_empty() {
            collections.push(join(s, "collections"));
        }
        if !collections.is_empty() {
            env.push_str(&format!(
                " ANSIBLE_COLLECTIONS_PATH=$ANSIBLE_COLLECTIONS_PATH:{}",
                collections.join(":")
            ));
        }
        if has_roles {
            env.push_str(&format!(
                " ANSIBLE_ROLES_PATH=$ANSIBLE_ROLES_PATH:{roles_path}"
            ));
        }
        for playbook in playbooks {
            let command = format!(
                "cd {s} && {env} {} {playbook}{extra} -c local -i {inventory}",
                c.command()
            );
            run.ctx.ui.message(&format!("Executing Ansible: {command}"));
            match run.exec(&command, "Error executing Ansible")? {
                0 => {}
                127 => {
                    return Err(BuildError::failed(AnsibleLocalError::NotFound {
                        command: c.command().to_owned(),
                    }))
                }
                code => return Err(BuildError::failed(AnsibleLocalError::ExitStatus(code))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn staging_directories_are_unique_and_under_packers_default() {
        let a = AnsibleLocal::from(AnsibleLocalConfig::default());
        let b = AnsibleLocal::from(AnsibleLocalConfig::default());
        assert!(a
            .staging
            .starts_with("/tmp/packer-provisioner-ansible-local/"));
        assert_ne!(a.staging, b.staging);
        let given = AnsibleLocal::from(AnsibleLocalConfig {
            staging_directory: Some("/srv/stage".into()),
            ..Default::default()
        });
        assert_eq!(given.staging, "/srv/stage");
    }

    #[test]
    fn paths_join_as_filepath_join_does() {
        assert_eq!(join("/s", "/abs/p.yml"), "/s/abs/p.yml");
        assert_eq!(join("/s/", "roles/x"), "/s/roles/x");
        assert_eq!(base("/a/b/site.yml"), "site.yml");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
