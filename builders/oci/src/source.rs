//! Base image references: where the image a build starts from comes from.

use crate::error::OciError;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `oci:PATH[:TAG]`: an OCI layout directory.
    Layout { path: PathBuf, tag: Option<String> },
    /// `oci-archive:PATH[:TAG]`: a tar of a layout.
    OciArchive { path: PathBuf, tag: Option<String> },
    /// `docker-archive:PATH[:REPO:TAG]`: `docker save` output.
    DockerArchive {
        path: PathBuf,
        repo_tag: Option<String>,
    },
    /// `rootfs:PATH.tar[.gz|.zst]`: a plain root filesystem tarball.
    Rootfs { path: PathBuf },
    /// `docker://REGISTRY/REPO:TAG`, or a bare `REPO[:TAG]` as in Packer.
    Registry { reference: String },
    /// `scratch`: no base at all.
    Scratch,
}

impl Source {
    /// The source in `parse`'s syntax, with an absolute path (for
    /// provenance, which outlives the working directory).
    pub fn uri(&self) -> String {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let tagged = |kind: &str, p: &Path, tag: &Option<String>| match tag {
            Some(t) => format!("{kind}:{}:{t}", abs(p).display()),
            None => format!("{kind}:{}", abs(p).display()),
        };
        match self {
            Source::Layout { path, tag } => tagged("oci", path, tag),
            Source::OciArchive { path, tag } => tagged("oci-archive", path, tag),
            Source::DockerArchive { path, repo_tag } => tagged("docker-archive", path, repo_tag),
            Source::Rootfs { path } => format!("rootfs:{}", abs(path).display()),
            Source::Registry { reference } => format!("docker://{reference}"),
            Source::Scratch => "scratch".into(),
        }
    }

    pub fn parse(s: &str) -> Result<Source, OciError> {
        if s == "scratch" {
            return Ok(Source::Scratch);
        }
        if let Some(rest) = s.strip_prefix("oci:") {
            let (path, tag) = split_tag(rest);
            return Ok(Source::Layout { path, tag });
        }
        if let Some(rest) = s.strip_prefix("oci-archive:") {
            let (path, tag) = split_tag(rest);
            return Ok(Source::OciArchive { path, tag });
        }
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            return Ok(match rest.split_once(':') {
                Some((path, rt)) if !Path::new(rest).exists() && rt.contains(':') => {
                    Source::DockerArchive {
                        path: path.into(),
                        repo_tag: Some(rt.into()),
                    }
                }
                _ => Source::DockerArchive {
                    path: rest.into(),
                    repo_tag: None,
                },
            });
        }
        if let Some(rest) = s.strip_prefix("rootfs:") {
            if rest.is_empty() {
                return Err(OciError::BadReference(s.into()));
            }
            return Ok(Source::Rootfs { path: rest.into() });
        }
        if let Some(rest) = s.strip_prefix("docker://") {
            return Ok(Source::Registry {
                reference: rest.into(),
            });
        }
        // Any other transport prefix is unknown; a bare name is a
        // registry reference, as in Packer's docker builder.
        let looks_like_transport = s.split_once(':').is_some_and(|(t, rest)| {
            !t.contains('/') && !t.contains('.') && rest.starts_with("//")
        });
        if s.is_empty() || looks_like_transport || s.contains(char::is_whitespace) {
            return Err(OciError::BadReference(s.into()));
        }
        Ok(Source::Registry {
            reference: s.into(),
        })
    }
}

/// `PATH[:TAG]`: the tag is what follows the last colon, unless the whole
/// string names an existing path or the suffix holds a slash.
fn split_tag(rest: &str) -> (PathBuf, Option<String>) {
    if Path::new(rest).exists() {
        return (rest.into(), None);
    }
    match rest.rsplit_once(':') {
        Some((p, t)) if !t.contains('/') && !t.is_empty() => (p.into(), Some(t.into())),
        _ => (rest.into(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports_and_tags() {
        assert_eq!(
            Source::parse("oci:/no/such/img:v1").unwrap(),
            Source::Layout {
                path: "/no/such/img".into(),
                tag: Some("v1".into())
            }
        );
        assert_eq!(
            Source::parse("oci:/no/such/img").unwrap(),
            Source::Layout {
                path: "/no/such/img".into(),
                tag: None
            }
        );
        assert_eq!(
            Source::parse("docker-archive:/x/a.tar:app:v2").unwrap(),
            Source::DockerArchive {
                path: "/x/a.tar".into(),
                repo_tag: Some("app:v2".into())
            }
        );
        assert_eq!(
            Source::parse("rootfs:/x/base.tar.zst").unwrap(),
            Source::Rootfs {
                path: "/x/base.tar.zst".into()
            }
        );
        assert_eq!(
            Source::parse("debian:bookworm").unwrap(),
            Source::Registry {
                reference: "debian:bookworm".into()
            }
        );
        assert_eq!(
            Source::parse("docker://localhost:5000/app:1").unwrap(),
            Source::Registry {
                reference: "localhost:5000/app:1".into()
            }
        );
        assert!(Source::parse("ftp://x/y").is_err());
        assert!(Source::parse("rootfs:").is_err());
    }
}
