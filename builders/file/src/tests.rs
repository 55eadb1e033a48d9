use super::*;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, ProvisionHook};
use std::fs;
use std::sync::Mutex;

/// Records what provisioning was asked to do.
#[derive(Default)]
struct Hook {
    calls: Mutex<Vec<String>>,
    fail: bool,
}

impl ProvisionHook for Hook {
    fn provision(
        &self,
        _: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
    ) -> Result<(), BuildError> {
        let exec = comm.exec("true", &mut Discard, &Cancel::new());
        self.calls.lock().expect("lock").push(format!(
            "provision exec_ok={} generated={}",
            exec.is_ok(),
            generated.len()
        ));
        if self.fail {
            return Err(BuildError::failed("provisioner failed"));
        }
        Ok(())
    }
    fn provision_cleanup(
        &self,
        _: &BuildCtx<'_>,
        _: &dyn Communicator,
        _: &Generated,
    ) -> Result<(), BuildError> {
        self.calls.lock().expect("lock").push("cleanup".into());
        Ok(())
    }
}

/// Drops command output.
struct Discard;

impl kiln_core::Output for Discard {
    fn stdout(&mut self, _: &[u8]) {}
    fn stderr(&mut self, _: &[u8]) {}
}

fn build(
    config: FileConfig,
    hook: &Hook,
    cancel: &Cancel,
) -> (RecordingUi, Result<Option<Artifact>, BuildError>) {
    let ui = RecordingUi::default();
    let info = BuildInfo::default();
    let ctx = BuildCtx {
        info: &info,
        ui: &ui,
        cancel,
        hook,
    };
    let r = FileBuilder::from(config).run(&ctx);
    (ui, r)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn content_is_written_then_provisioners_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("out/sub/c.txt");
    let hook = Hook::default();
    let config = FileConfig {
        content: Some("hello".into()),
        target: Some(target.display().to_string()),
        ..FileConfig::default()
    };
    let (ui, r) = build(config, &hook, &Cancel::new());
    let artifact = r.expect("build").expect("artifact");
    assert_eq!(fs::read_to_string(&target).expect("read"), "hello");
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(&target).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(artifact.builder_id, "packer.file");
    assert_eq!(artifact.id, "File");
    assert_eq!(
        artifact.description,
        format!("Stored file: {}", target.display())
    );
    assert_eq!(artifact.files, std::slice::from_ref(&target));
    assert!(ui.of("say").is_empty(), "Packer says nothing for content");
    assert_eq!(
        *hook.calls.lock().expect("lock"),
        ["provision exec_ok=false generated=0"]
    );
    assert_eq!(entries(&dir.path().join("out/sub")), ["c.txt"]);
    artifact.destroy().expect("destroy");
    assert!(!target.exists());
}

#[test]
fn source_is_copied_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("src.txt");
    fs::write(&source, "srcdata\n").expect("write");
    let target = dir.path().join("s.txt");
    fs::write(&target, "old content that is longer").expect("write");
    let config = FileConfig {
        source: Some(source.display().to_string()),
        target: Some(target.display().to_string()),
        ..FileConfig::default()
    };
    let (ui, r) = build(config, &Hook::default(), &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(fs::read_to_string(&target).expect("read"), "srcdata\n");
    assert_eq!(
        ui.of("say"),
        [
            format!("Copying {} to {}", source.display(), target.display()),
            "Copied 8 bytes".to_owned()
        ]
    );
    assert_eq!(entries(dir.path()), ["s.txt", "src.txt"]);
}

#[test]
fn neither_content_nor_source_makes_an_empty_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("e.txt");
    let config = FileConfig {
        target: Some(target.display().to_string()),
        ..FileConfig::default()
    };
    let (_, r) = build(config, &Hook::default(), &Cancel::new());
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(fs::read(&target).expect("read"), b"");
}

#[test]
fn a_missing_source_fails_like_packer_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("zz");
    let config = FileConfig {
        source: Some("/nonexistent/kiln/src.txt".into()),
        target: Some(target.display().to_string()),
        ..FileConfig::default()
    };
    let hook = Hook::default();
    let (_, r) = build(config, &hook, &Cancel::new());
    assert_eq!(
        r.err().map(|e| e.to_string()),
        Some("open /nonexistent/kiln/src.txt: no such file or directory".into())
    );
    assert!(entries(dir.path()).is_empty());
    assert!(hook.calls.lock().expect("lock").is_empty());
}

#[test]
fn a_failed_provisioner_fails_the_build_and_keeps_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("c.txt");
    let hook = Hook {
        fail: true,
        ..Hook::default()
    };
    let config = FileConfig {
        content: Some("x".into()),
        target: Some(target.display().to_string()),
        ..FileConfig::default()
    };
    let (_, r) = build(config, &hook, &Cancel::new());
    assert!(r.is_err());
    assert!(target.exists());
    assert_eq!(
        *hook.calls.lock().expect("lock"),
        ["provision exec_ok=false generated=0", "cleanup"]
    );
}

#[test]
fn cancelled_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("c.txt");
    let cancel = Cancel::new();
    cancel.cancel();
    let config = FileConfig {
        content: Some("x".into()),
        target: Some(target.display().to_string()),
        ..FileConfig::default()
    };
    let (_, r) = build(config, &Hook::default(), &cancel);
    assert!(matches!(r, Err(BuildError::Cancelled)));
    assert!(entries(dir.path()).is_empty());
}
