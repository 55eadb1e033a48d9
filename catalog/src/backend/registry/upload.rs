//! A file as a stream of upload chunks, read as the upload proceeds, so
//! that a multi-gigabyte disk image never sits in memory whole (oci-client's
//! `push_blob_stream` sends each chunk as one PATCH of a chunked upload).

use futures_util::stream::{self, Stream};
use oci_client::errors::OciDistributionError;
use tokio::io::AsyncReadExt;

/// oci-client's own chunk size (`PUSH_CHUNK_MAX_SIZE`): a larger read
/// would only be split again.
pub const CHUNK: u64 = 4 * 1024 * 1024;

/// `B` is oci-client's `bytes::Bytes`, named by its caller's bound.
pub fn chunks<B: From<Vec<u8>>>(
    file: tokio::fs::File,
) -> impl Stream<Item = Result<B, OciDistributionError>> {
    stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = Vec::with_capacity(CHUNK as usize);
        match (&mut file).take(CHUNK).read_to_end(&mut buf).await {
            Ok(0) => None,
            Ok(_) => Some((Ok(B::from(buf)), Some(file))),
            // Ends the stream after the error.
            Err(e) => Some((Err(OciDistributionError::IoError(e)), None)),
        }
    })
}
