//! `testinfra { files = [...] }` (kiln's test stage; a provisioner too):
//! pytest-testinfra on the machine running kiln against the machine under
//! test. An SSH machine with a key is reached directly (`ssh://` with an
//! ssh_config kiln writes); any other machine through kiln's SSH adapter:
//! `ssh://` for an SSH machine (a password, a bastion: the adapter logs
//! in as the build does), `ansible://` with a one-line inventory for a
//! container sandbox.

mod config;
mod connection;
mod error;

pub use config::TestinfraConfig;
pub use error::TestinfraError;

use connection::{Connection, Endpoint, Kind};
use kiln_communicator_adapter::{AdapterConfig, Serving};
use kiln_core::process::{self, ProcessError};
use kiln_core::{BuildError, Communicator, ProvisionCtx, Provisioner, UiLines};
use std::path::Path;
use std::process::Command;

pub struct Testinfra {
    config: TestinfraConfig,
}

impl From<TestinfraConfig> for Testinfra {
    fn from(config: TestinfraConfig) -> Testinfra {
        Testinfra { config }
    }
}

impl Provisioner for Testinfra {
    fn provision(&self, ctx: &ProvisionCtx<'_>, comm: &dyn Communicator) -> Result<(), BuildError> {
        ctx.ui.say("Running testinfra...");
        let pytest = self
            .config
            .pytest()
            .ok_or(BuildError::failed(TestinfraError::NoPytest))?;
        let g = ctx.generated;
        if let Some(conn) = Connection::direct(g).map_err(BuildError::failed)? {
            return self.run(ctx, &pytest, &conn);
        }
        let get = |k: &str| g.get(k).map(String::as_str).unwrap_or_default();
        let kind = if get("ConnType") == "ssh" {
            Kind::SshConfig
        } else {
            Kind::AnsibleInventory
        };
        let user = match get("User") {
            "" => {
                crate::ansible::current_user().ok_or(BuildError::failed(TestinfraError::NoUser))?
            }
            u => u.to_owned(),
        };
        let cfg = AdapterConfig {
            user: user.clone(),
            port: None,
            host_key_file: None,
            authorized_key_file: None,
            key_type: Default::default(),
            sftp_command: None,
        };
        kiln_communicator_adapter::serve(comm, &cfg, ctx.cancel, |s: Serving<'_>| {
            let key = s.private_key_file.unwrap_or(Path::new(""));
            let port = s.port.to_string();
            let conn = Connection::new(
                kind,
                &Endpoint {
                    host: "127.0.0.1",
                    port: &port,
                    user: &user,
                    key_file: key,
                },
            )
            .map_err(BuildError::failed)?;
            self.run(ctx, &pytest, &conn)
        })
        .map_err(|e| BuildError::failed(TestinfraError::Adapter(e.to_string())))?
    }
}

impl Testinfra {
    fn run(
        &self,
        ctx: &ProvisionCtx<'_>,
        pytest: &str,
        conn: &Connection,
    ) -> Result<(), BuildError> {
        let c = &self.config;
        // No .pytest_cache or __pycache__ next to the user's files.
        let mut args = vec!["-p".to_owned(), "no:cacheprovider".to_owned()];
        args.extend(conn.args());
        args.extend(c.extra_arguments.iter().cloned());
        args.extend(c.files.iter().cloned());
        let mut env = ctx.info.env();
        env.push(("PYTHONDONTWRITEBYTECODE".into(), "1".into()));
        env.push(("ANSIBLE_HOST_KEY_CHECKING".into(), "False".into()));
        // testinfra's ansible:// backend runs ansible-inventory: the one
        // beside pytest in its venv first.
        if let Some(dir) = Path::new(pytest)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let dirs = std::iter::once(dir.to_owned()).chain(std::env::split_paths(&path));
            if let Ok(joined) = std::env::join_paths(dirs) {
                env.push(("PATH".into(), joined.to_string_lossy().into_owned()));
            }
        }
        for v in &c.environment_vars {
            if let Some((k, v)) = v.split_once('=') {
                env.push((k.to_owned(), v.to_owned()));
            }
        }
        ctx.ui
            .say(&format!("Executing testinfra: {pytest} {}", args.join(" ")));
        let mut cmd = Command::new(pytest);
        cmd.args(&args).envs(env.iter().map(|(k, v)| (k, v)));
        let mut out = UiLines::new(ctx.ui);
        let result = process::run(&mut cmd, &mut out, ctx.cancel);
        out.flush();
        let code = match result {
            Ok(code) => code,
            Err(ProcessError::Stopped { reason, .. }) => {
                return Err(BuildError::from_reason(reason, None))
            }
            Err(e) => {
                return Err(BuildError::failed(TestinfraError::Start {
                    program: pytest.to_owned(),
                    cause: e.to_string(),
                }))
            }
        };
        match code {
            0 => Ok(()),
            1 => Err(BuildError::failed(TestinfraError::Failed)),
            5 => Err(BuildError::failed(TestinfraError::NoTests(
                c.files.join(", "),
            ))),
            n => Err(BuildError::failed(TestinfraError::ExitStatus(n))),
        }
    }
}
