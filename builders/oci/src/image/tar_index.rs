//! Members of a plain tar, located in place so archives (oci-archive,
//! docker-archive) are read without unpacking them to disk.

use super::BlobRef;
use crate::error::{IoContext, OciError};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// Regular-file members by normalised name (`./` and leading `/` dropped).
pub fn index(path: &Path) -> Result<BTreeMap<String, BlobRef>, OciError> {
    let f = File::open(path).ctx(|| format!("open {}", path.display()))?;
    let mut ar = tar::Archive::new(BufReader::new(f));
    let mut out = BTreeMap::new();
    for entry in ar
        .entries()
        .ctx(|| format!("read archive {}", path.display()))?
    {
        let entry = entry.ctx(|| format!("read archive {}", path.display()))?;
        let kind = entry.header().entry_type();
        if !(kind.is_file() || kind == tar::EntryType::Continuous) {
            continue;
        }
        let name = entry
            .path()
            .ctx(|| format!("read archive {}", path.display()))?
            .to_string_lossy()
            .trim_start_matches("./")
            .trim_start_matches('/')
            .to_owned();
        out.insert(
            name,
            BlobRef {
                file: path.to_path_buf(),
                offset: entry.raw_file_position(),
                len: entry.size(),
            },
        );
    }
    Ok(out)
}
