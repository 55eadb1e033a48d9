//! What happens between starting the VM and connecting to it: the HTTP
//! server (`http_directory`/`http_content`), the floppy, and
//! `boot_wait` + `boot_command` typed through QMP (rendered with
//! `{{ .HTTPIP }}`, `{{ .HTTPPort }}`, `{{ .Name }}`, `{{ .SSHPublicKey }}`).

use crate::bootcmd;
use crate::config::Settings;
use crate::error::{report, QemuError};
use crate::floppy::{self, FloppySpec};
use crate::http::{HttpConfig, HttpServer, QEMU_HOST_IP};
use crate::qmp::Qmp;
use crate::state::State;
use kiln_core::duration::go_duration;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use kiln_template::legacy::{self, LegacyContext};
use kiln_template::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Serves `http_directory`/`http_content` while the build runs.
pub struct StepHttpServer {
    pub config: HttpConfig,
    /// `http_interface`: resolved to its address when the step runs.
    pub interface: Option<String>,
    server: Option<HttpServer>,
}

impl StepHttpServer {
    pub fn new(s: &Settings) -> StepHttpServer {
        StepHttpServer {
            config: HttpConfig {
                directory: s.http_directory.clone().map(PathBuf::from),
                content: s.http_content.clone(),
                bind_address: s.http_bind_address.clone(),
                port_min: s.http_port_min,
                port_max: s.http_port_max,
            },
            interface: s.http_interface.clone(),
            server: None,
        }
    }
}

impl Step<State> for StepHttpServer {
    fn name(&self) -> &str {
        "StepHTTPServer"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        state.http_ip = QEMU_HOST_IP.into();
        if let Some(name) = &self.interface {
            let ip = crate::http_interface::ipv4_of(name)
                .map_err(|e| report(ctx, QemuError::HttpInterface(e)))?;
            self.config.bind_address = ip.to_string();
        }
        match HttpServer::start(&self.config) {
            Ok(Some(server)) => {
                ctx.ui
                    .say(&format!("Starting HTTP server on port {}", server.port()));
                state.http_port = server.port();
                state
                    .generated
                    .insert("HTTPIP".into(), QEMU_HOST_IP.to_owned());
                state
                    .generated
                    .insert("HTTPPort".into(), server.port().to_string());
                self.server = Some(server);
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => Err(report(ctx, QemuError::HttpServer(e))),
        }
    }

    fn cleanup(&mut self, _state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(s) = self.server.take() {
            s.stop();
        }
        Ok(())
    }
}

/// `floppy_files`/`floppy_dirs`/`floppy_content` → a FAT12 image in the
/// work directory.
pub struct StepCreateFloppy {
    pub spec: FloppySpec,
}

impl Step<State> for StepCreateFloppy {
    fn name(&self) -> &str {
        "StepCreateFloppy"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let dest = state.work_dir.join("floppy.img");
        state.floppy_path = Some(dest.clone());
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        floppy::create(&self.spec, &cwd, &dest, ctx.ui, ctx.cancel).map_err(|e| match e {
            floppy::FloppyError::Cancelled(r) => BuildError::from_reason(r, None),
            e => {
                ctx.ui.error(&e.to_string());
                BuildError::failed(e)
            }
        })
    }

    fn cleanup(&mut self, state: &mut State, _ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(p) = state.floppy_path.take() {
            let _ = std::fs::remove_file(p);
        }
        Ok(())
    }
}

/// `boot_wait`, then `boot_command` (or each of `boot_steps`, its
/// description printed first) over QMP.
pub struct StepTypeBootCommand {
    pub commands: Vec<String>,
    /// `boot_steps`: keys and description; exclusive with `commands`.
    pub steps: Vec<(String, Option<String>)>,
    pub wait: Duration,
    pub key_interval: Option<Duration>,
    pub vm_name: String,
}

impl StepTypeBootCommand {
    fn context(&self, state: &State) -> LegacyContext {
        let mut data = BTreeMap::new();
        data.insert("HTTPIP".to_owned(), Value::string(state.http_ip.clone()));
        data.insert(
            "HTTPPort".to_owned(),
            Value::string(state.http_port.to_string()),
        );
        data.insert("Name".to_owned(), Value::string(self.vm_name.clone()));
        let key = state.key_pair.as_ref();
        data.insert(
            "SSHPublicKey".to_owned(),
            Value::string(key.map(|k| k.public_line().to_owned()).unwrap_or_default()),
        );
        LegacyContext::new(data)
    }

    /// What to type, in order: the whole `boot_command`, or one entry per
    /// boot step with the line to print before it.
    fn groups(&self) -> Vec<(Option<String>, String)> {
        if self.steps.is_empty() {
            if self.commands.is_empty() {
                return Vec::new();
            }
            return vec![(None, self.commands.concat())];
        }
        let n = self.steps.len();
        self.steps
            .iter()
            .enumerate()
            .map(|(i, (keys, description))| {
                let line = match description {
                    Some(d) => format!("Typing boot step {}/{n}: {d}", i + 1),
                    None => format!("Typing boot step {}/{n}", i + 1),
                };
                (Some(line), keys.clone())
            })
            .collect()
    }
}

impl Step<State> for StepTypeBootCommand {
    fn name(&self) -> &str {
        "stepTypeBootCommand"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let groups = self.groups();
        // A guest restored from a snapshot booted long ago.
        if groups.is_empty() || state.resumed {
            return Ok(());
        }
        if !self.wait.is_zero() {
            ctx.ui
                .say(&format!("Waiting {} for boot...", go_duration(self.wait)));
            ctx.cancel
                .sleep(self.wait)
                .map_err(|r| BuildError::from_reason(r, None))?;
        }
        // Every group is checked before the first key goes out, so a typo
        // in a late step does not leave an installer half driven.
        let template = self.context(state);
        let mut typed = Vec::new();
        for (line, keys) in groups {
            let text = legacy::render(&keys, &template)
                .map_err(|e| report(ctx, QemuError::BootCommandTemplate(e)))?;
            let actions = bootcmd::parse(&text)
                .map_err(|errs| report(ctx, QemuError::BootCommandParse(errs)))?;
            typed.push((line, actions));
        }
        let Some(socket) = state.qmp_socket.clone() else {
            return Err(QemuError::MissingState {
                step: "StepTypeBootCommand",
                what: "QMP socket",
            }
            .into());
        };
        let mut qmp = Qmp::connect(&socket, Duration::from_secs(30), ctx.cancel)
            .map_err(|e| report(ctx, QemuError::QmpConnect(e)))?;
        if self.steps.is_empty() {
            ctx.ui.say("Typing the boot command over QMP...");
        }
        let interval = bootcmd::key_interval(self.key_interval);
        for (line, actions) in typed {
            if let Some(line) = line {
                ctx.ui.say(&line);
            }
            bootcmd::type_actions(&actions, &mut qmp, interval, ctx.cancel).map_err(
                |e| match e {
                    bootcmd::TypeError::Cancelled(r) => BuildError::from_reason(r, None),
                    e => report(ctx, QemuError::BootCommandType(e)),
                },
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_content_is_served_and_the_boot_command_typed_into_qemu() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("qmp.sock");
        let mut child = crate::test_vm::bare_qemu(&socket, &["VGA", "i8042"]);
        let t = kiln_core::StepTestCtx::default();
        let ctx = t.ctx();
        let settings = crate::config::QemuConfig {
            http_content: Some(BTreeMap::from([("/ks.cfg".into(), "install".into())])),
            http_bind_address: Some("127.0.0.1".into()),
            ..crate::config::QemuConfig::default()
        }
        .settings("t");
        let mut state = State {
            qmp_socket: Some(socket),
            ..State::default()
        };
        let mut http = StepHttpServer::new(&settings);
        http.run(&mut state, &ctx).unwrap();
        assert!(state.http_port >= 8000 && state.http_port <= 9000);
        assert_eq!(state.generated["HTTPIP"], "10.0.2.2");
        let mut body = String::new();
        {
            use std::io::{Read, Write};
            let mut s = std::net::TcpStream::connect(("127.0.0.1", state.http_port)).unwrap();
            s.write_all(b"GET /ks.cfg HTTP/1.0\r\n\r\n").unwrap();
            s.read_to_string(&mut body).unwrap();
        }
        assert!(body.ends_with("install"), "{body}");
        let mut typing = StepTypeBootCommand {
            commands: vec![
                "linux ks=http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg".into(),
                "<enter><wait10ms>".into(),
            ],
            steps: Vec::new(),
            wait: Duration::from_millis(10),
            key_interval: Some(Duration::from_millis(1)),
            vm_name: "vm".into(),
        };
        typing.run(&mut state, &ctx).unwrap();
        assert_eq!(
            t.ui.of("say")[1..],
            [
                "Waiting 10ms for boot...".to_owned(),
                "Typing the boot command over QMP...".to_owned()
            ]
        );
        let bad = StepTypeBootCommand {
            commands: vec!["<wait".into(), "{{ .Nope }}".into()],
            ..typing
        }
        .run(&mut state, &ctx);
        assert!(bad.is_err());
        // boot_steps: each step typed after its description.
        let mut steps = StepTypeBootCommand {
            commands: Vec::new(),
            steps: vec![
                ("a<enter>".into(), Some("Install".into())),
                ("b<wait10ms>".into(), None),
            ],
            wait: Duration::ZERO,
            key_interval: Some(Duration::from_millis(1)),
            vm_name: "vm".into(),
        };
        let before = t.ui.of("say").len();
        steps.run(&mut state, &ctx).unwrap();
        assert_eq!(
            t.ui.of("say")[before..],
            [
                "Typing boot step 1/2: Install".to_owned(),
                "Typing boot step 2/2".to_owned()
            ]
        );
        // A bad late step fails before anything is typed.
        let before = t.ui.of("say").len();
        let bad_step = StepTypeBootCommand {
            commands: Vec::new(),
            steps: vec![
                ("a".into(), Some("ok".into())),
                ("{{ .Nope }}".into(), None),
            ],
            wait: Duration::ZERO,
            key_interval: None,
            vm_name: "vm".into(),
        }
        .run(&mut state, &ctx);
        assert!(bad_step.is_err());
        assert_eq!(t.ui.of("say").len(), before, "nothing typed");
        http.cleanup(&mut state, &ctx).unwrap();
        kiln_core::process::kill_group(&mut child);

        // http_interface: the server listens on that interface's address.
        let on_lo = crate::config::QemuConfig {
            http_content: Some(BTreeMap::from([("/a".into(), "b".into())])),
            http_interface: Some("lo".into()),
            ..crate::config::QemuConfig::default()
        }
        .settings("t");
        let mut http = StepHttpServer::new(&on_lo);
        http.run(&mut state, &ctx).unwrap();
        assert_eq!(http.config.bind_address, "127.0.0.1");
        http.cleanup(&mut state, &ctx).unwrap();
        let missing = crate::config::QemuConfig {
            http_content: Some(BTreeMap::from([("/a".into(), "b".into())])),
            http_interface: Some("kiln-no-such0".into()),
            ..crate::config::QemuConfig::default()
        }
        .settings("t");
        assert!(StepHttpServer::new(&missing).run(&mut state, &ctx).is_err());
    }
}
