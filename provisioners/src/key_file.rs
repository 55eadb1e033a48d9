//! A private key held in memory (the build's temporary key) as a file
//! that tools on this machine (ansible, ssh) can be pointed at: readable by
//! this user only, removed when dropped.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;

pub fn write_private_key(key: &str, prefix: &str) -> std::io::Result<tempfile::TempPath> {
    let mut f = tempfile::Builder::new().prefix(prefix).tempfile()?;
    std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o600))?;
    f.write_all(key.as_bytes())?;
    f.flush()?;
    Ok(f.into_temp_path())
}
