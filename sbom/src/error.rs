//! What reading an image's package databases can fail with.

#[derive(Debug, thiserror::Error)]
pub enum SbomError {
    #[error("reading {path} from the image: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} in the image is not a {what} database: line {line}: {why}")]
    Parse {
        path: String,
        what: &'static str,
        line: usize,
        why: String,
    },
}
