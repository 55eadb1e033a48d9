//! The file provider (packer-plugin-vagrant's `file.go`): the artifact's
//! files under their base names, `{"provider":"file"}`, no Vagrantfile of
//! its own.

use kiln_core::Artifact;
use serde_json::json;

use super::part::Part;
use kiln_core::Ui;

pub fn process(ui: &dyn Ui, artifact: &Artifact) -> Part {
    let files = artifact
        .files
        .iter()
        .map(|path| {
            ui.message(&format!("Copying: {}", path.display()));
            (super::base_name(path), path.clone())
        })
        .collect();
    Part {
        files,
        metadata: vec![("provider", json!("file"))],
        vagrantfile: String::new(),
    }
}
