//! The docker provider (packer-plugin-vagrant's `docker.go`): no files,
//! `{"provider":"docker"}`, and a Vagrantfile naming the image.

use kiln_core::Artifact;
use serde_json::json;

use super::error::VagrantError;
use super::part::Part;

pub fn process(artifact: &Artifact) -> Result<Part, VagrantError> {
    let image = image(artifact)?;
    Ok(Part {
        files: Vec::new(),
        metadata: vec![("provider", json!("docker"))],
        vagrantfile: vagrantfile(&image),
    })
}

/// The artifact's id, as the plugin takes it (docker-tag's `repo:tag`).
/// kiln's docker-push names the pushed manifest by its digest alone; with
/// the repository in front it is a reference `docker run` can pull.
fn image(artifact: &Artifact) -> Result<String, VagrantError> {
    let id = artifact.id.trim();
    if id.is_empty() {
        return Err(VagrantError::NoImageId);
    }
    let repository = artifact
        .state
        .get("repository")
        .and_then(serde_json::Value::as_str)
        .filter(|r| !r.is_empty());
    match repository {
        Some(repo) if id.starts_with("sha256:") && artifact.builder_id.ends_with("docker-push") => {
            Ok(format!("{repo}@{id}"))
        }
        _ => Ok(id.to_owned()),
    }
}

pub fn vagrantfile(image: &str) -> String {
    format!(
        "\nVagrant.configure(\"2\") do |config|\n\tconfig.vm.provider :docker do |docker, override|\n\t\tdocker.image = \"{image}\"\n\tend\nend\n"
    )
}
