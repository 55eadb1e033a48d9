//! Layer compression throughput for `bench/oci`: the whole tree under
//! DIR as one layer (walk, tar, gzip on every core), as the builder writes
//! it, timed. Prints `bytes seconds` of the uncompressed tar.
//!
//!     cargo run --release -p kiln-builder-oci --example layer_throughput -- DIR [gzip|zstd]

use kiln_builder_oci::compression::Compression;
use kiln_builder_oci::layer::{diff, snapshot, writer};
use kiln_core::Cancel;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .ok_or("usage: layer_throughput DIR [gzip|zstd]")?,
    );
    let compression = match args.next() {
        Some(c) => Compression::parse(&c).ok_or("compression: gzip or zstd")?,
        None => Compression::Gzip,
    };
    let out = tempfile::tempdir()?;
    let start = Instant::now();
    let changes = diff::changes(&dir, &snapshot::Snapshot::default(), &[])?;
    let opts = writer::LayerOptions {
        compression,
        epoch: Some(0),
    };
    let layer = writer::write(&dir, &changes, opts, out.path(), &Cancel::new())?;
    let secs = start.elapsed().as_secs_f64();
    let tar_bytes: u64 = changes
        .iter()
        .map(|c| match c {
            diff::Change::Upsert(_, e) => 512 + e.size.div_ceil(512) * 512,
            diff::Change::Whiteout(_) => 512,
        })
        .sum();
    println!("{tar_bytes} {secs:.3} {}", layer.size);
    Ok(())
}
