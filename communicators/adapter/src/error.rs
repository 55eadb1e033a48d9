use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("the SSH adapter cannot listen on 127.0.0.1:{0}: {1}")]
    Listen(u16, #[source] std::io::Error),
    #[error("cannot read the SSH key {}: {message}", path.display())]
    Key { path: PathBuf, message: String },
    #[error("cannot make a key for the SSH adapter: {0}")]
    Generate(String),
    #[error("cannot write the SSH adapter's key file: {0}")]
    KeyFile(#[source] std::io::Error),
    #[error("the SSH adapter cannot start: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("the SSH adapter stopped: {0}")]
    Server(String),
    #[error("the SSH adapter crashed")]
    Crashed,
}
