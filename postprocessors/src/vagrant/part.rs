//! What a provider contributes to a box: files, `metadata.json` fields
//! and the Vagrantfile's first half (Packer's `Provider.Process`).

use std::path::PathBuf;

pub struct Part {
    /// (name in the box, file).
    pub files: Vec<(String, PathBuf)>,
    pub metadata: Vec<(&'static str, serde_json::Value)>,
    pub vagrantfile: String,
}
