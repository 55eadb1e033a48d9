//! Go's wording for OS errors, which Packer prints verbatim (`stat x.sh:
//! no such file or directory`, `open src.txt: permission denied`).

use std::io;

/// The errno text as Go prints it: lowercase, without Rust's
/// ` (os error N)` suffix.
pub fn errno_text(e: &io::Error) -> String {
    let text = e.to_string();
    let text = match (e.raw_os_error(), text.rfind(" (os error ")) {
        (Some(_), Some(at)) => &text[..at],
        _ => text.as_str(),
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Go's `*PathError` text: `OP PATH: errno text`.
pub fn path_error(op: &str, path: &str, e: &io::Error) -> String {
    format!("{op} {path}: {}", errno_text(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_go() {
        let e = std::fs::metadata("/nonexistent/kiln/x").err();
        let Some(e) = e else { return };
        assert_eq!(
            path_error("stat", "/nonexistent/kiln/x", &e),
            "stat /nonexistent/kiln/x: no such file or directory"
        );
        assert_eq!(
            errno_text(&io::Error::from_raw_os_error(13)),
            "permission denied"
        );
        assert_eq!(errno_text(&io::Error::other("Custom")), "custom");
    }
}
