//! The QMP side of a snapshot: pause the guest, stream its device and
//! memory state to a file (`migrate` to `file:`, raw), freeze
//! the disk file in use by putting a new qcow2 overlay on top of it
//! (`blockdev-snapshot-sync`), resume. And for a restore, wait until an
//! `-incoming` migration has loaded, then resume.

use crate::error::QemuError;
use crate::qmp::Qmp;
use kiln_core::Cancel;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// Saving a guest's memory takes seconds per gigabyte under TCG; a
/// migration still running after this is stuck.
const MIGRATE_TIMEOUT: Duration = Duration::from_secs(900);

/// Loading a saved state takes seconds; QEMU does not always give up on
/// a stream that ends early (it can spin in `inmigrate`), so a restore
/// still loading after this has failed.
const INCOMING_TIMEOUT: Duration = Duration::from_secs(180);

/// How often a migration's progress is asked: a save or load takes
/// about a second, and the guest waits on every poll's remainder.
const POLL: Duration = Duration::from_millis(20);

fn err(what: &str, e: impl std::fmt::Display) -> QemuError {
    QemuError::Snapshot(format!("{what}: {e}"))
}

/// A shell word for `exec:` migration URIs (run by `/bin/sh -c`).
fn quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

/// The migration URI that writes (`to`) or reads the state file `p`.
/// QEMU's `file:` takes options after a comma, so a path with one goes
/// through `cat` instead.
pub fn state_uri(p: &Path, to: bool) -> String {
    let shown = p.display().to_string();
    match (shown.contains(','), to) {
        (false, _) => format!("file:{shown}"),
        (true, true) => format!("exec:cat > {}", quoted(p)),
        (true, false) => format!("exec:cat {}", quoted(p)),
    }
}

/// Far above what a disk takes in: the state goes out as fast as QEMU
/// can write it, not at migration's default 128 MiB/s, which is meant
/// to spare a network a live migration shares.
const UNLIMITED: u64 = 1 << 40;

/// Pause the guest and write its state to `state`, raw: compressing in
/// the stream would keep the guest paused for the codec's seconds, so it
/// is compressed afterwards while the guest runs on (`pending.rs`).
pub fn save_state(qmp: &mut Qmp, state: &Path, cancel: &Cancel) -> Result<(), QemuError> {
    qmp.execute("stop", None).map_err(|e| err("stop", e))?;
    qmp.execute(
        "migrate-set-parameters",
        Some(json!({ "max-bandwidth": UNLIMITED })),
    )
    .map_err(|e| err("migrate-set-parameters", e))?;
    qmp.execute("migrate", Some(json!({ "uri": state_uri(state, true) })))
        .map_err(|e| err("migrate", e))?;
    wait_migration(qmp, "migration", cancel)
}

/// Wait until the migration in progress (outgoing or incoming) ends.
pub fn wait_migration(qmp: &mut Qmp, what: &str, cancel: &Cancel) -> Result<(), QemuError> {
    let started = Instant::now();
    loop {
        let info = qmp
            .execute("query-migrate", None)
            .map_err(|e| err("query-migrate", e))?;
        match info.get("status").and_then(Value::as_str) {
            Some("completed") => return Ok(()),
            Some(s @ ("failed" | "cancelled")) => {
                let why = info
                    .get("error-desc")
                    .and_then(Value::as_str)
                    .unwrap_or("no reason given");
                return Err(err(what, format!("{s}: {why}")));
            }
            // An incoming side that has not started reports no status.
            _ if started.elapsed() > MIGRATE_TIMEOUT => {
                return Err(err(what, "timed out"));
            }
            _ => {}
        }
        if cancel.sleep(POLL).is_err() {
            return Err(err(what, "cancelled"));
        }
    }
}

/// The block device whose image is the file `top`: its `device` name,
/// or its node name when it has none (`-device … drive=` disks).
fn device_of(qmp: &mut Qmp, top: &Path) -> Result<(String, String), QemuError> {
    let blocks = qmp
        .execute("query-block", None)
        .map_err(|e| err("query-block", e))?;
    let want = top.display().to_string();
    blocks
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|b| {
            let ins = b.get("inserted")?;
            (ins.get("file").and_then(Value::as_str) == Some(want.as_str())).then(|| {
                let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
                (s(b.get("device")), s(ins.get("node-name")))
            })
        })
        .ok_or_else(|| err("query-block", format!("no disk is using {want}")))
}

/// Put a new overlay `next` on the disk whose top is `top`: from now on
/// the guest writes there and `top` is read-only.
pub fn freeze_disk(qmp: &mut Qmp, top: &Path, next: &Path) -> Result<(), QemuError> {
    let (device, node) = device_of(qmp, top)?;
    let mut args = json!({
        "snapshot-file": next.display().to_string(),
        "format": "qcow2",
        "mode": "absolute-paths",
    });
    if device.is_empty() {
        args["node-name"] = json!(node);
    } else {
        args["device"] = json!(device);
    }
    qmp.execute("blockdev-snapshot-sync", Some(args))
        .map_err(|e| err("blockdev-snapshot-sync", e))?;
    Ok(())
}

pub fn resume(qmp: &mut Qmp) -> Result<(), QemuError> {
    qmp.execute("cont", None)
        .map(|_| ())
        .map_err(|e| err("cont", e))
}

/// After `-incoming` (the state fed through a pipe, `feed.rs`): wait for the state to load (the guest is then
/// paused, as it was saved), and let it run.
pub fn finish_incoming(qmp: &mut Qmp, cancel: &Cancel) -> Result<(), QemuError> {
    let started = Instant::now();
    loop {
        let status = qmp.query_status().map_err(|e| err("query-status", e))?;
        match status.status.as_str() {
            "paused" | "postmigrate" | "running" => break,
            "inmigrate" | "prelaunch" if started.elapsed() < INCOMING_TIMEOUT => {}
            other => return Err(err("restore", format!("the VM is {other}"))),
        }
        if cancel.sleep(POLL).is_err() {
            return Err(err("restore", "cancelled"));
        }
    }
    resume(qmp)
}
