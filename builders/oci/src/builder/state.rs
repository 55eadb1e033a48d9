//! The typed state a build's steps share.

use super::base_tree::Mounted;
use super::settings::Settings;
use crate::image::Image;
use crate::layer::snapshot::Snapshot;
use crate::output::compose::NewLayer;
use kiln_communicator_sandbox::SandboxComm;
use kiln_core::step::Provisionable;
use kiln_core::step_cache::StepCache;
use kiln_core::{Artifact, Communicator, Generated, NoneComm};
use std::path::{Path, PathBuf};

pub struct State {
    pub settings: Settings,
    /// Scratch space: the root filesystem and new layer blobs.
    pub work: Option<tempfile::TempDir>,
    pub base: Option<Image>,
    pub snapshot: Snapshot,
    pub layers: Vec<NewLayer>,
    /// Keeps new layer blobs alive until the output is written.
    pub layer_files: Vec<tempfile::NamedTempFile>,
    pub generated: Generated,
    /// The provisioning sandbox, once started.
    pub sandbox: Option<SandboxComm>,
    pub artifact: Option<Artifact>,
    /// The build's step cache, from the unpack step on.
    pub cache: Option<Box<dyn StepCache>>,
    /// The root filesystem's overlay over the cached base, when it is one.
    pub mounted: Option<Mounted>,
    /// Step cache entries whose files the output still reads.
    pub holds: Vec<Box<dyn std::any::Any + Send>>,
}

impl State {
    pub fn new(settings: Settings) -> State {
        State {
            settings,
            work: None,
            base: None,
            snapshot: Snapshot::default(),
            layers: Vec::new(),
            layer_files: Vec::new(),
            generated: Generated::new(),
            sandbox: None,
            artifact: None,
            cache: None,
            mounted: None,
            holds: Vec::new(),
        }
    }

    pub fn work_dir(&self) -> Option<&Path> {
        self.work.as_ref().map(tempfile::TempDir::path)
    }

    pub fn rootfs(&self) -> Option<PathBuf> {
        self.work_dir().map(|w| w.join("rootfs"))
    }

    /// Take away the sandbox's mount points before looking at what
    /// provisioning changed; what it had to keep is left out of the diff.
    pub fn sandbox_leftovers(&self) -> Result<Vec<PathBuf>, crate::OciError> {
        let Some(s) = &self.sandbox else {
            return Ok(Vec::new());
        };
        s.remove_created_paths()
            .map_err(|e| crate::OciError::Invalid(format!("sandbox mount points: {e}")))?;
        Ok(s.created_paths()
            .iter()
            .map(|p| PathBuf::from(p.trim_start_matches('/')))
            .collect())
    }
}

impl Provisionable for State {
    fn communicator(&self) -> &dyn Communicator {
        match &self.sandbox {
            Some(s) => s,
            None => &NoneComm,
        }
    }
    fn generated(&self) -> Generated {
        self.generated.clone()
    }
}
