//! The file builder's errors, in the words of Go's `*PathError` that
//! Packer prints (`open src.txt: no such file or directory`).

use kiln_core::go_error::errno_text;
use std::io;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("open {path}: {}", errno_text(.cause))]
    Open { path: String, cause: io::Error },
    #[error("mkdir {path}: {}", errno_text(.cause))]
    Mkdir { path: String, cause: io::Error },
    #[error("read {path}: {}", errno_text(.cause))]
    Read { path: String, cause: io::Error },
    #[error("write {path}: {}", errno_text(.cause))]
    Write { path: String, cause: io::Error },
    #[error("rename {from} {to}: {}", errno_text(.cause))]
    Rename {
        from: String,
        to: String,
        cause: io::Error,
    },
}
