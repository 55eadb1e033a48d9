//! What the steps of one build share.

use kiln_communicator_ssh::{KeyPair, SshComm};
use kiln_core::Generated;
use std::path::PathBuf;
use std::process::Child;
use std::time::Duration;

#[derive(Default)]
pub struct State {
    /// Private scratch space: QMP socket, seed ISO, serial log, qemu's
    /// output. Removed by its step's cleanup.
    pub work_dir: PathBuf,
    /// Whether this build created the output directory (and so removes it
    /// when the build fails).
    pub created_output: bool,
    /// The accelerator in use (`kvm`, `tcg`, …).
    pub accelerator: String,
    /// The KVM probe, running while the disk is prepared.
    pub accel_probe: Option<std::thread::JoinHandle<String>>,
    /// The source image or installer ISO, on local disk.
    pub source_path: Option<PathBuf>,
    /// The VM's first disk while the build runs (a temporary name in the
    /// output directory).
    pub work_disk: PathBuf,
    /// `disk_additional_size` disks, `VM_NAME-1`, `VM_NAME-2`, ….
    pub additional_disks: Vec<PathBuf>,
    /// The CD made from `cd_files`/`cd_content`, or the NoCloud seed.
    pub cd_path: Option<PathBuf>,
    pub floppy_path: Option<PathBuf>,
    /// The temporary key pair, when the config gave no credentials.
    pub key_pair: Option<KeyPair>,
    /// Host port forwarded to the guest's SSH port.
    pub ssh_host_port: Option<u16>,
    pub vnc_port: Option<u16>,
    /// No display for the window the config asks for: headless after all.
    pub no_window: bool,
    pub http_ip: String,
    pub http_port: u16,
    pub qmp_socket: Option<PathBuf>,
    /// swtpm's control socket (`vtpm`).
    pub vtpm_socket: Option<PathBuf>,
    /// The running qemu (its own process group).
    pub vm: Option<Child>,
    pub ssh: Option<SshComm>,
    pub generated: Generated,
    /// The finished image and its sha256.
    pub image: Option<(PathBuf, String)>,
    /// The build's step cache (`snapshot`), when its machine can be
    /// snapshotted and the run has one.
    pub cache: Option<Box<dyn kiln_core::step_cache::StepCache>>,
    /// The snapshot this build resumes from, when the cache has one.
    pub resume: Option<crate::snapshot::Resume>,
    /// The VM was started from `resume` (a failed restore boots cold).
    pub resumed: bool,
    /// The cache entry (step, id) the work disk is an overlay of: the
    /// next snapshot's layer stacks on it.
    pub stacked_on: Option<(usize, String)>,
    /// The last snapshot's save, still compressing in the background.
    pub pending: Option<crate::snapshot::Pending>,
    /// The restore's state, fed to QEMU's `-incoming` as it loads.
    pub incoming: Option<crate::snapshot::Feed>,
    /// Disk files under the work disk (frozen by snapshots), removed by
    /// the provisioning step's cleanup.
    pub chain: Vec<PathBuf>,
    /// Wall time of each phase, in order, for the time split.
    pub timings: Vec<(&'static str, Duration)>,
}

kiln_communicator_ssh::ssh_provisionable!(State);
