//! Which files make up a configuration.

use std::path::{Path, PathBuf};

/// The files of a configuration: templates and automatically loaded
/// variable files, each list in lexical order.
#[derive(Debug, Default, Clone)]
pub struct ConfigFiles {
    pub templates: Vec<PathBuf>,
    pub auto_var_files: Vec<PathBuf>,
}

const TEMPLATE_SUFFIXES: [&str; 2] = [".pkr.hcl", ".pkr.json"];
const AUTO_VAR_SUFFIXES: [&str; 2] = [".auto.pkrvars.hcl", ".auto.pkrvars.json"];

/// A file path is the whole configuration; a directory contributes every
/// `*.pkr.hcl`/`*.pkr.json` and `*.auto.pkrvars.*` file directly in it
/// (not in sub-directories), as Packer reads it.
pub fn discover(path: &Path) -> std::io::Result<ConfigFiles> {
    let mut files = ConfigFiles::default();
    if !path.is_dir() {
        // Reading it reports a missing file with the OS's own words.
        std::fs::metadata(path)?;
        files.templates.push(path.to_path_buf());
        return Ok(files);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if AUTO_VAR_SUFFIXES.iter().any(|s| name.ends_with(s)) {
            files.auto_var_files.push(p);
        } else if TEMPLATE_SUFFIXES.iter().any(|s| name.ends_with(s)) {
            files.templates.push(p);
        }
    }
    Ok(files)
}

pub fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_lists_templates_and_auto_vars_sorted() {
        let dir = tempfile::tempdir().expect("tempdir");
        for name in [
            "b.pkr.hcl",
            "a.pkr.hcl",
            "x.auto.pkrvars.hcl",
            "notes.txt",
            "v.pkrvars.hcl",
        ] {
            std::fs::write(dir.path().join(name), "").expect("write");
        }
        let f = discover(dir.path()).expect("discover");
        let names: Vec<_> = f
            .templates
            .iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.pkr.hcl", "b.pkr.hcl"]);
        assert_eq!(f.auto_var_files.len(), 1);
    }
}
