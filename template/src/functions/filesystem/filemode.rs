//! Go's `FileMode.String()` (`drwxr-xr-x`), which `fileexists` shows when a
//! path is not a regular file.

use std::fs::Metadata;

#[cfg(unix)]
pub(super) fn mode_string(meta: &Metadata) -> String {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let ft = meta.file_type();
    let mode = meta.permissions().mode();
    // Go's type letters, in Go's order.
    let kinds = [
        ('d', ft.is_dir()),
        ('L', ft.is_symlink()),
        ('D', ft.is_block_device() || ft.is_char_device()),
        ('p', ft.is_fifo()),
        ('S', ft.is_socket()),
        ('u', mode & 0o4000 != 0),
        ('g', mode & 0o2000 != 0),
        ('c', ft.is_char_device()),
        ('t', mode & 0o1000 != 0),
    ];
    let mut out: String = kinds
        .iter()
        .filter(|(_, on)| *on)
        .map(|(c, _)| *c)
        .collect();
    if out.is_empty() {
        out.push('-');
    }
    for (i, c) in "rwxrwxrwx".chars().enumerate() {
        out.push(if mode & (1 << (8 - i)) != 0 { c } else { '-' });
    }
    out
}

#[cfg(not(unix))]
pub(super) fn mode_string(meta: &Metadata) -> String {
    if meta.is_dir() {
        "drwxrwxrwx".to_string()
    } else {
        "-rw-rw-rw-".to_string()
    }
}
