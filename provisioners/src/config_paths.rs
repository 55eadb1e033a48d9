//! Packer's `validateFileConfig` and `validateDirConfig`, which the
//! configuration-management provisioners share: a configured path must
//! exist and be a file (or a directory).

use kiln_core::component::ConfigProblem;

pub(crate) fn check_file(field: &'static str, path: &str, out: &mut Vec<ConfigProblem>) {
    match std::fs::metadata(path) {
        Err(e) => out.push(ConfigProblem::field(
            field,
            format!("{field}: {path} is invalid: {e}"),
        )),
        Ok(m) if m.is_dir() => out.push(ConfigProblem::field(
            field,
            format!("{field}: {path} must point to a file"),
        )),
        Ok(_) => {}
    }
}

pub(crate) fn check_dir(field: &'static str, path: &str, out: &mut Vec<ConfigProblem>) {
    match std::fs::metadata(path) {
        Err(e) => out.push(ConfigProblem::field(
            field,
            format!("{field}: {path} is invalid: {e}"),
        )),
        Ok(m) if !m.is_dir() => out.push(ConfigProblem::field(
            field,
            format!("{field}: {path} must point to a directory"),
        )),
        Ok(_) => {}
    }
}
