//! What the output name asks for: Packer's detection from the file name
//! (or `output` + `.` + `format`), which reads the last two `.ext` groups.
//!
//! `.tar`/`.zip` make an archive; `.gz`, `.bgzf`, `.lz4`, `.xz` compress,
//! after a tar when the group before is `.tar`; a name without a known
//! extension (`.tgz`, `.box`, no dot at all) becomes a gzipped tar. kiln
//! adds `.zst`. Packer would silently write a gzipped tar under names such
//! as `.bz2` or `.7z`; kiln refuses those, and an explicit `format` it does
//! not know.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archive {
    Tar,
    Zip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Packer's "pgzip": one gzip member, compressed in parallel.
    Gzip,
    /// Blocked gzip (independently compressed members, as `bgzip` writes).
    Bgzf,
    Lz4,
    Xz,
    Zstd,
}

impl Algorithm {
    /// The name Packer prints ("Tarring x with pgzip").
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Gzip => "pgzip",
            Algorithm::Bgzf => "bgzf",
            Algorithm::Lz4 => "lz4",
            Algorithm::Xz => "xz",
            Algorithm::Zstd => "zstd",
        }
    }

    /// The highest level; higher ones are lowered to it, as Packer
    /// lowers gzip levels above 9.
    pub fn max_level(self) -> i64 {
        match self {
            Algorithm::Zstd => 22,
            _ => 9,
        }
    }

    /// The level used when none is given (or -1, or 0, which Packer reads
    /// as "not given").
    pub fn default_level(self) -> i64 {
        match self {
            Algorithm::Zstd => 3,
            _ => 6,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    pub archive: Option<Archive>,
    pub algorithm: Option<Algorithm>,
}

const TAR_GZ: Format = Format {
    archive: Some(Archive::Tar),
    algorithm: Some(Algorithm::Gzip),
};

/// Compression formats people name that kiln (and Packer) cannot write.
const UNSUPPORTED: &[&str] = &[
    "bz2", "bzip2", "tbz", "tbz2", "7z", "rar", "lzma", "lzo", "lz", "br", "sz", "z",
];

const SUPPORTED: &str =
    "tar, zip, gz (or tgz), bgzf, lz4, xz, zst, and tar.gz, tar.bgzf, tar.lz4, tar.xz, tar.zst";

fn algorithm(ext: &str) -> Option<Algorithm> {
    Some(match ext {
        "gz" => Algorithm::Gzip,
        "bgzf" => Algorithm::Bgzf,
        "lz4" => Algorithm::Lz4,
        "xz" => Algorithm::Xz,
        "zst" | "zstd" => Algorithm::Zstd,
        _ => return None,
    })
}

/// Detect the format from `output` (the template, as Packer detects it
/// before rendering) and the `format` field.
pub fn detect(output: &str, format: Option<&str>) -> Result<Format, String> {
    let named = match format {
        Some(f) if !f.is_empty() => format!("{output}.{f}"),
        _ => output.to_owned(),
    };
    let groups = extension_groups(&named);
    let Some(last) = groups.last().copied() else {
        return Ok(TAR_GZ);
    };
    let before = groups
        .len()
        .checked_sub(2)
        .and_then(|i| groups.get(i))
        .copied();
    let mut found = Format {
        archive: (before == Some("tar")).then_some(Archive::Tar),
        algorithm: None,
    };
    match last {
        "tar" => found.archive = Some(Archive::Tar),
        "zip" => found.archive = Some(Archive::Zip),
        ext => match algorithm(ext) {
            Some(a) => found.algorithm = Some(a),
            None if UNSUPPORTED.contains(&ext) => {
                return Err(format!(
                    "kiln cannot write .{ext} files; supported formats: {SUPPORTED}"
                ))
            }
            None if ext == "tgz" => return Ok(TAR_GZ),
            None if format.is_some_and(|f| !f.is_empty()) => {
                return Err(format!(
                    "Unknown compression format {:?}; supported formats: {SUPPORTED}",
                    format.unwrap_or_default()
                ))
            }
            None => return Ok(TAR_GZ),
        },
    }
    Ok(found)
}

/// Go's `\.([a-z0-9]+)` matches, left to right, without overlap.
fn extension_groups(s: &str) -> Vec<&str> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut end = start;
            while bytes
                .get(end)
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                end += 1;
            }
            if end > start {
                out.extend(s.get(start..end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(archive: Option<Archive>, algorithm: Option<Algorithm>) -> Format {
        Format { archive, algorithm }
    }

    #[test]
    fn detects_like_packer() {
        use Algorithm::*;
        use Archive::*;
        // What Packer 1.6.6 wrote for each name (checked with `file`).
        let cases = [
            ("packer_{{.BuildName}}_{{.BuilderType}}", TAR_GZ),
            ("o/x.tar", f(Some(Tar), None)),
            ("o/x.zip", f(Some(Zip), None)),
            ("o/x.gz", f(None, Some(Gzip))),
            ("o/x.tgz", TAR_GZ),
            ("o/x.tar.gz", f(Some(Tar), Some(Gzip))),
            ("o/x.tar.lz4", f(Some(Tar), Some(Lz4))),
            ("o/x.xz", f(None, Some(Xz))),
            ("o/x.bgzf", f(None, Some(Bgzf))),
            ("o/x.box", TAR_GZ),
            ("./o/x", TAR_GZ),
            ("o/x.img.gz", f(None, Some(Gzip))),
            // kiln's addition: Packer would write a tar.gz named .zst.
            ("o/x.tar.zst", f(Some(Tar), Some(Zstd))),
            ("o/x.zst", f(None, Some(Zstd))),
        ];
        for (name, want) in cases {
            assert_eq!(detect(name, None), Ok(want), "{name}");
        }
        assert_eq!(detect("o/x", Some("tar.gz")), Ok(f(Some(Tar), Some(Gzip))));
        assert_eq!(detect("o/x", Some("tgz")), Ok(TAR_GZ));
        assert_eq!(detect("o/x.tar", Some("zst")), Ok(f(Some(Tar), Some(Zstd))));
    }

    #[test]
    fn refuses_what_it_cannot_write() {
        assert!(detect("x.tar.bz2", None).unwrap_err().contains(".bz2"));
        assert!(detect("x", Some("7z")).is_err());
        let e = detect("x", Some("rpm")).unwrap_err();
        assert!(e.starts_with("Unknown compression format \"rpm\""), "{e}");
    }

    #[test]
    fn groups_match_gos_regexp() {
        assert_eq!(extension_groups("a.tar.gz"), ["tar", "gz"]);
        assert_eq!(extension_groups("../x/.B.c9"), ["c9"]);
        assert!(extension_groups("{{.BuildName}}").is_empty());
    }
}
