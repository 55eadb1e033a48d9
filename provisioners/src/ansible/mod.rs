//! `provisioner "ansible"`: run `ansible-playbook` on the machine running
//! kiln against the machine being built, as packer-plugin-ansible does:
//! through the SSH adapter (the default, any communicator) or, with
//! `use_proxy = false`, straight to an SSH machine with the build's key.

pub(crate) mod command;
mod config;
mod error;
mod inventory;
mod local;
mod proxy;
mod version;

pub use config::{AnsibleConfig, KeyType};
pub use error::AnsibleError;
pub(crate) use local::current_user;

use crate::legacy_data;
use config::non_empty;
use inventory::Inventory;
use kiln_core::{BuildError, Communicator, ProvisionCtx, Provisioner};
use kiln_template::legacy;

pub struct Ansible {
    config: AnsibleConfig,
}

impl From<AnsibleConfig> for Ansible {
    fn from(config: AnsibleConfig) -> Ansible {
        Ansible { config }
    }
}

/// Where ansible connects: the values of the inventory line and the key.
struct Target {
    host: String,
    port: String,
    user: String,
    private_key_file: Option<String>,
}

impl Provisioner for Ansible {
    /// The playbook with what Ansible reads beside it, the inventory,
    /// galaxy file and role/collection paths, and `./ansible.cfg`.
    /// Files named only inside `extra_arguments` (`@vars.yml`) are not
    /// seen: set `cache = false` on such a step.
    fn cache_inputs(&self) -> Option<Vec<std::path::PathBuf>> {
        use crate::cache_inputs::{beside, named, working_ansible_cfg, ANSIBLE_BESIDE};
        let c = &self.config;
        let main = named([&Some(c.playbook_file.clone()), &c.inventory_file]);
        let mut all = main.clone();
        all.extend(named([&c.galaxy_file, &c.roles_path, &c.collections_path]));
        all.extend(beside(&main, ANSIBLE_BESIDE));
        all.extend(working_ansible_cfg());
        Some(all)
    }

    fn provision(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), BuildError> {
        ctx.ui.say("Provisioning with Ansible...");
        let g = ctx.generated;
        let get = |k: &str| g.get(k).map(String::as_str).unwrap_or_default();
        let tctx = legacy_data::context(ctx.info, g, &[]);
        let render_all = |items: &[String]| {
            items
                .iter()
                .map(|s| legacy::render(s, &tctx))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| BuildError::failed(AnsibleError::Interpolate(e)))
        };
        let env_vars = render_all(&self.config.env_vars())?;
        let extra = render_all(&self.config.extra_arguments)?;
        let mut direct = self.config.direct();
        if direct && get("Host").is_empty() {
            ctx.ui.error("Warning: use_proxy is false, but instance does not have an IP address to give to Ansible. Falling back to use localhost proxy.");
            direct = false;
        }
        if direct && get("ConnType") != "ssh" {
            ctx.ui.error("Warning: use_proxy is false, but communicator is neither ssh nor winrm, so without the proxy ansible will not function. Falling back to localhost proxy.");
            direct = false;
        }
        let run = |target: &Target| self.run(ctx, target, &env_vars, &extra);
        if direct {
            ctx.ui.message(
                "Not using Proxy adapter for Ansible run:\n\tUsing ssh keys from Packer communicator...",
            );
            // Held to the end: the temporary copy of the build's key.
            let mut key_copy = None;
            let key = match non_empty_str(get("SSHPrivateKeyFile")) {
                Some(f) => Some(f.to_owned()),
                None if get("SSHAgentAuth") == "true" => None,
                None if !get("SSHPrivateKey").is_empty() => {
                    let f = write_key(get("SSHPrivateKey")).map_err(BuildError::failed)?;
                    let path = f.to_string_lossy().into_owned();
                    key_copy = Some(f);
                    Some(path)
                }
                None => None,
            };
            let target = Target {
                host: get("Host").to_owned(),
                port: get("Port").to_owned(),
                user: self
                    .config
                    .configured_user()
                    .unwrap_or(get("User"))
                    .to_owned(),
                private_key_file: key,
            };
            let result = run(&target);
            drop(key_copy);
            return result;
        }
        // Packer's default is the user running Packer, which ansible then
        // takes for the remote user: `~` and its temporary directory are
        // that user's, while every command runs as the communicator's
        // user (Packer's docs tell templates to repeat it in `user`).
        // kiln defaults to the communicator's user when the build has
        // one, so the default works; the local user otherwise.
        let user = match self.config.configured_user().or(non_empty_str(get("User"))) {
            Some(u) => u.to_owned(),
            None => local::current_user().ok_or(BuildError::failed(AnsibleError::NoUser))?,
        };
        proxy::serve(&self.config, &user, comm, ctx, |port, key| {
            run(&Target {
                host: "127.0.0.1".to_owned(),
                port: port.to_string(),
                user: user.clone(),
                private_key_file: key.map(str::to_owned),
            })
        })?
    }
}

fn non_empty_str(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

/// The build's private key in a file only this user can read.
fn write_key(key: &str) -> Result<tempfile::TempPath, AnsibleError> {
    crate::key_file::write_private_key(key, "ansible-key").map_err(AnsibleError::KeyFile)
}

impl Ansible {
    fn run(
        &self,
        ctx: &ProvisionCtx<'_>,
        target: &Target,
        env_vars: &[String],
        extra: &[String],
    ) -> Result<(), BuildError> {
        let c = &self.config;
        let g = ctx.generated;
        let get = |k: &str| g.get(k).map(String::as_str).unwrap_or_default();
        let inventory = match non_empty(&c.inventory_file) {
            Some(f) => Inventory::Given(f.into()),
            None => {
                let tctx = legacy_data::context(
                    ctx.info,
                    g,
                    &[
                        ("HostAlias", c.host_alias()),
                        ("User", &target.user),
                        ("Host", &target.host),
                        ("Port", &target.port),
                    ],
                );
                let text = inventory::render(c, &tctx).map_err(BuildError::failed)?;
                Inventory::write(c, &text).map_err(BuildError::failed)?
            }
        };
        let mut env = ctx.info.env();
        env.extend(local::env_pairs(env_vars));
        if let Some(galaxy_file) = non_empty(&c.galaxy_file) {
            self.galaxy(ctx, galaxy_file, &env)?;
        }
        let playbook = kiln_gocompat::path::abs(std::path::Path::new(&c.playbook_file))
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| c.playbook_file.clone());
        let inventory_path = inventory.path().display().to_string();
        let args = command::playbook_args(
            c,
            &command::Run {
                build_name: &ctx.info.source_name,
                builder_type: &ctx.info.builder_type,
                http_addr: get("PackerHTTPAddr"),
                conn_type: get("ConnType"),
                inventory: &inventory_path,
                playbook: &playbook,
                private_key_file: target.private_key_file.as_deref(),
                env_vars,
                extra_arguments: extra,
            },
        );
        let shown = command::sanitized(
            c.command(),
            &args,
            extra,
            &[get("WinRMPassword"), get("Password")],
        );
        ctx.ui.say(&format!("Executing Ansible: {shown}"));
        let code = local::run(c.command(), &args, &env, ctx.ui, ctx.cancel)?;
        drop(inventory);
        if code != 0 {
            return Err(BuildError::failed(AnsibleError::ExitStatus(code)));
        }
        Ok(())
    }

    fn galaxy(
        &self,
        ctx: &ProvisionCtx<'_>,
        galaxy_file: &str,
        env: &[(String, String)],
    ) -> Result<(), BuildError> {
        let text = std::fs::read_to_string(galaxy_file).map_err(|cause| {
            BuildError::failed(AnsibleError::Read {
                path: galaxy_file.to_owned(),
                cause,
            })
        })?;
        for args in command::galaxy_args(&self.config, galaxy_file, &text) {
            ctx.ui.message("Executing Ansible Galaxy");
            let code = local::run(self.config.galaxy_command(), &args, env, ctx.ui, ctx.cancel)?;
            if code != 0 {
                return Err(BuildError::failed(AnsibleError::Galaxy(Box::new(
                    AnsibleError::GalaxyExitStatus(code),
                ))));
            }
        }
        Ok(())
    }
}
