//! `SandboxComm`: the [`Communicator`] that runs each command in a fresh
//! sandbox over the rootfs.

use crate::config::SandboxConfig;
use crate::error::SandboxError;
use crate::etc_files::EtcFiles;
use crate::layout::{self, Layout, VolumeMount};
use crate::root::{relative, Created, Kind, Root};
use crate::{spawn, supervise, transfer, user};
use kiln_core::cancel::Cancel;
use kiln_core::communicator::{CommError, Communicator, FileMode, Output};
use rustix::fs::{Gid, Uid};
use std::ffi::CString;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// Docker's default `PATH` for a container without one.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Mount points the sandbox needs in every rootfs.
const MOUNT_POINTS: [(&str, Kind); 4] = [
    ("/proc", Kind::Dir),
    ("/dev", Kind::Dir),
    ("/etc/hosts", Kind::File),
    ("/etc/resolv.conf", Kind::File),
];

pub struct SandboxComm {
    config: SandboxConfig,
    root: Root,
    etc: EtcFiles,
    created: Mutex<Vec<Created>>,
    last_cap: u32,
    /// Without root: the caller's ids, root of the sandbox's user
    /// namespace.
    user_namespace: Option<(Uid, Gid)>,
}

fn cstring(s: &[u8]) -> Result<CString, SandboxError> {
    CString::new(s).map_err(|_| SandboxError::Nul(String::from_utf8_lossy(s).into_owned()))
}

fn absolute(path: &str) -> Result<(), SandboxError> {
    if path.starts_with('/') {
        Ok(())
    } else {
        Err(SandboxError::NotAbsolute(path.to_owned()))
    }
}

impl SandboxComm {
    /// Check the configuration and open the rootfs. Nothing is created in
    /// it until the first command runs.
    pub fn new(config: SandboxConfig) -> Result<SandboxComm, SandboxError> {
        let euid = rustix::process::geteuid();
        let user_namespace = (!euid.is_root()).then(|| (euid, rustix::process::getegid()));
        absolute(&config.workdir)?;
        for v in &config.volumes {
            absolute(&v.container)?;
        }
        cstring(config.hostname.as_bytes())?;
        let root = Root::open(&config.rootfs)?;
        let etc = EtcFiles::write(&config.hostname, config.network)?;
        let last_cap = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(40);
        Ok(SandboxComm {
            config,
            root,
            etc,
            created: Mutex::new(Vec::new()),
            last_cap,
            user_namespace,
        })
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// Paths (absolute inside the rootfs) that did not exist and were
    /// created as mount points: /proc, /dev, /etc/hosts, /etc/resolv.conf
    /// and volume targets, with any missing parents. They are not part of
    /// what was provisioned: [`SandboxComm::remove_created_paths`] takes
    /// them away (also done on drop), or a layer diff skips them. The
    /// working directory is not among them: Docker creates it too, and it
    /// stays.
    pub fn created_paths(&self) -> Vec<String> {
        self.created
            .lock()
            .map(|c| c.iter().map(|c| c.path.clone()).collect())
            .unwrap_or_default()
    }

    /// Remove what [`SandboxComm::created_paths`] lists, newest first, and
    /// restore their parents' times. A created directory that something
    /// was written into is kept (and still listed).
    pub fn remove_created_paths(&self) -> Result<(), SandboxError> {
        let Ok(mut created) = self.created.lock() else {
            return Ok(());
        };
        let mut kept = Vec::new();
        let mut first_error = None;
        while let Some(c) = created.pop() {
            match self.root.remove(&c) {
                Ok(true) => {}
                Ok(false) => kept.push(c),
                Err(e) => {
                    first_error.get_or_insert(SandboxError::io(format!("remove {}", c.path), e));
                    kept.push(c);
                }
            }
        }
        kept.reverse();
        *created = kept;
        first_error.map_or(Ok(()), Err)
    }

    /// Create the mount points and the working directory that are
    /// missing. One command at a time: two sandboxes starting together
    /// would both find a path missing.
    fn ensure_paths(&self) -> Result<(), SandboxError> {
        let mut created = self
            .created
            .lock()
            .map_err(|_| SandboxError::io("prepare", std::io::Error::other("lock poisoned")))?;
        for (path, kind) in MOUNT_POINTS {
            self.root.ensure(path, kind, &mut created)?;
        }
        for v in &self.config.volumes {
            let meta = std::fs::metadata(&v.host)
                .map_err(|e| SandboxError::io(format!("volume {}", v.host.display()), e))?;
            let kind = if meta.is_dir() { Kind::Dir } else { Kind::File };
            self.root.ensure(&v.container, kind, &mut created)?;
        }
        // Not recorded: the working directory stays, as with Docker.
        self.root
            .ensure(&self.config.workdir, Kind::Dir, &mut Vec::new())?;
        Ok(())
    }

    /// Everything one command needs, read from the rootfs as it is now (a
    /// previous command may have added a user).
    fn layout(&self) -> Result<(Layout, Vec<(String, String)>), SandboxError> {
        self.ensure_paths()?;
        let mut volumes = Vec::new();
        for v in &self.config.volumes {
            volumes.push(VolumeMount {
                source: cstring(v.host.as_os_str().as_bytes())?,
                target: cstring(relative(&v.container).as_bytes())?,
                read_only: v.read_only,
            });
        }
        let read = |path: &str| {
            self.root
                .read_to_string(path)
                .map(Option::unwrap_or_default)
                .map_err(|e| SandboxError::io(format!("read {path} of the rootfs"), e))
        };
        let user = user::resolve(
            self.config.user.as_deref(),
            &read("/etc/passwd")?,
            &read("/etc/group")?,
        )?;
        if self.user_namespace.is_some() && (user.uid != 0 || user.gid != 0) {
            return Err(SandboxError::UserNeedsRoot(
                self.config.user.clone().unwrap_or_default(),
            ));
        }
        let env = environment(&self.config, &user.home);
        let layout = Layout {
            rootfs: cstring(self.root.path().as_os_str().as_bytes())?,
            network: self.config.network,
            hostname: cstring(self.config.hostname.as_bytes())?,
            privileged: self.config.privileged,
            devices: layout::DEVICES
                .into_iter()
                .filter(|d| Path::new("/dev").join(d).exists())
                .collect(),
            hosts_file: cstring(self.etc.hosts.as_os_str().as_bytes())?,
            resolv_file: cstring(self.etc.resolv_conf.as_os_str().as_bytes())?,
            mount_sys: self.root.kind_of("/sys").ok().flatten() == Some(Kind::Dir),
            volumes,
            workdir: cstring(self.config.workdir.as_bytes())?,
            uid: Uid::from_raw(user.uid),
            gid: Gid::from_raw(user.gid),
            groups: user.groups.iter().copied().map(Gid::from_raw).collect(),
            last_cap: self.last_cap,
            user_namespace: self.user_namespace,
        };
        Ok((layout, env))
    }

    /// Run `command` with `/bin/sh -c` in a new sandbox.
    pub fn run(
        &self,
        command: &str,
        out: &mut dyn Output,
        cancel: &Cancel,
    ) -> Result<i32, CommError> {
        self.run_fed(command, None, out, cancel)
    }

    /// [`SandboxComm::run`] with `stdin` (when given) copied to the
    /// command's input by a thread of its own, which ends at the input's
    /// end or when the command stops reading.
    pub fn run_fed(
        &self,
        command: &str,
        stdin: Option<Box<dyn Read + Send>>,
        out: &mut dyn Output,
        cancel: &Cancel,
    ) -> Result<i32, CommError> {
        let (layout, env) = self.layout()?;
        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(command)
            .env_clear()
            .envs(env)
            // As every local child: out of the terminal's process group,
            // so that Ctrl-C reaches kiln, which then cancels.
            .process_group(0)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        tracing::debug!(command, rootfs = %self.root.path().display(), "sandbox exec");
        let from_thread = layout::pid_namespace_from_thread(&layout);
        let mut spawned = spawn::spawn(layout::ops(&layout), cmd, from_thread)?;
        if let (Some(mut input), Some(mut pipe)) = (stdin, spawned.child.stdin.take()) {
            // Detached: the copy ends when either side closes, and the
            // command's end must not wait for more input.
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut input, &mut pipe);
            });
        }
        supervise::supervise(spawned, out, cancel).map_err(|_| CommError::Cancelled)
    }
}

/// The image's environment plus Docker's defaults for `PATH`, `HOSTNAME`
/// and `HOME`.
fn environment(config: &SandboxConfig, home: &str) -> Vec<(String, String)> {
    let mut env = Vec::new();
    let has = |k: &str| config.env.iter().any(|(key, _)| key == k);
    if !has("PATH") {
        env.push(("PATH".to_owned(), DEFAULT_PATH.to_owned()));
    }
    if !has("HOSTNAME") {
        env.push(("HOSTNAME".to_owned(), config.hostname.clone()));
    }
    env.extend(config.env.iter().cloned());
    if !has("HOME") {
        env.push(("HOME".to_owned(), home.to_owned()));
    }
    env
}

fn io_err(what: &str, path: &str, e: std::io::Error) -> CommError {
    CommError::io(format!("{what} {path} in the sandbox"), e)
}

impl Communicator for SandboxComm {
    fn root_dir(&self) -> Option<&std::path::Path> {
        Some(self.root.path())
    }

    fn exec(&self, command: &str, out: &mut dyn Output, cancel: &Cancel) -> Result<i32, CommError> {
        self.run(command, out, cancel)
    }

    fn exec_with_stdin(
        &self,
        command: &str,
        stdin: Box<dyn Read + Send>,
        out: &mut dyn Output,
        cancel: &Cancel,
    ) -> Result<i32, CommError> {
        self.run_fed(command, Some(stdin), out, cancel)
    }

    fn upload(&self, dst: &str, src: &mut dyn Read, mode: FileMode) -> Result<(), CommError> {
        transfer::upload(&self.root, dst, src, mode.0.unwrap_or(0o644))
            .map_err(|e| io_err("upload to", dst, e))
    }

    fn upload_file(&self, dst: &str, src: &Path) -> Result<(), CommError> {
        transfer::upload_file(&self.root, dst, src).map_err(|e| io_err("upload to", dst, e))
    }

    fn upload_dir(&self, dst: &str, src: &Path) -> Result<(), CommError> {
        transfer::upload_dir(&self.root, dst, src).map_err(|e| io_err("upload to", dst, e))
    }

    fn download(&self, src: &str, dst: &mut dyn Write) -> Result<(), CommError> {
        transfer::download(&self.root, src, dst).map_err(|e| io_err("download", src, e))
    }

    fn download_dir(&self, src: &str, dst: &Path) -> Result<(), CommError> {
        transfer::download_dir(&self.root, src, dst).map_err(|e| io_err("download", src, e))
    }
}

impl Drop for SandboxComm {
    fn drop(&mut self) {
        if let Err(e) = self.remove_created_paths() {
            tracing::warn!("sandbox: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_gets_dockers_defaults() {
        let mut c = SandboxConfig::new("/x");
        c.env = vec![("LANG".into(), "C.UTF-8".into())];
        let env = environment(&c, "/root");
        assert_eq!(
            env,
            [
                ("PATH".to_owned(), DEFAULT_PATH.to_owned()),
                ("HOSTNAME".to_owned(), "kiln".to_owned()),
                ("LANG".to_owned(), "C.UTF-8".to_owned()),
                ("HOME".to_owned(), "/root".to_owned()),
            ]
        );
        c.env = vec![("PATH".into(), "/bin".into()), ("HOME".into(), "/h".into())];
        let env = environment(&c, "/root");
        assert_eq!(env.len(), 3);
        assert!(!env.iter().any(|(_, v)| v == "/root"));
    }
}
