//! Appending to the manifest file: under the side lock, read what is
//! there, add one build, and replace the file atomically.

use kiln_core::{BuildInfo, Cancel};
use kiln_gocompat::atomic::write_file as replace_file;
use serde_json::{Map, Value};
use std::fs;
use std::io;
use std::path::Path;

use crate::error::PostProcessError;
use crate::go_json;
use crate::lock::SideLock;

pub(super) fn append(
    path: &Path,
    entry: Value,
    info: &BuildInfo,
    cancel: &Cancel,
) -> Result<(), PostProcessError> {
    let _lock = SideLock::acquire(path, cancel)?;
    let contents = match fs::read(path) {
        Ok(c) => c,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(source) => {
            return Err(PostProcessError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut manifest = if contents.is_empty() {
        Manifest::default()
    } else {
        Manifest::parse(path, &contents)?
    };
    // A new run with -force starts the file over; builds of the same run
    // (same uuid) and runs without -force keep appending.
    if info.force && manifest.last_run_uuid != info.run_uuid {
        manifest = Manifest::default();
    }
    manifest.builds.push(entry);
    manifest.last_run_uuid = info.run_uuid.clone();
    let text = go_json::to_string_indented(&manifest.into_json());
    replace_file(path, 0o664, text.as_bytes()).map_err(|source| PostProcessError::Write {
        path: path.to_owned(),
        source,
    })
}

/// The manifest as read: Packer's two fields, plus whatever else a file
/// holds (kept as written, after them).
#[derive(Default)]
struct Manifest {
    builds: Vec<Value>,
    last_run_uuid: String,
    rest: Map<String, Value>,
}

impl Manifest {
    /// Packer refuses (fails the build) on a manifest it cannot decode
    /// into its struct; so does kiln, with the same message prefix.
    fn parse(path: &Path, contents: &[u8]) -> Result<Manifest, PostProcessError> {
        let bad = |message: String| PostProcessError::Parse {
            path: path.to_owned(),
            message,
        };
        let v: Value = serde_json::from_slice(contents).map_err(|e| bad(e.to_string()))?;
        let Value::Object(mut m) = v else {
            return Err(bad("the manifest is not a JSON object".into()));
        };
        let builds = match m.shift_remove("builds") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(b)) if b.iter().all(Value::is_object) => b,
            Some(_) => return Err(bad("\"builds\" is not a list of objects".into())),
        };
        let last_run_uuid = match m.shift_remove("last_run_uuid") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s,
            Some(_) => return Err(bad("\"last_run_uuid\" is not a string".into())),
        };
        Ok(Manifest {
            builds,
            last_run_uuid,
            rest: m,
        })
    }

    fn into_json(self) -> Value {
        let mut m = Map::new();
        m.insert("builds".into(), Value::Array(self.builds));
        m.insert("last_run_uuid".into(), self.last_run_uuid.into());
        m.extend(self.rest);
        Value::Object(m)
    }
}
