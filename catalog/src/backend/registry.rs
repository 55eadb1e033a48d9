//! The registry store: one repository per bucket (`PREFIX/BUCKET`) of an
//! OCI distribution registry, through oci-client. Blobs, manifests by
//! digest and tags are the registry's own; nothing else is kept.
//!
//! oci-client is async; the catalog is not. One current-thread tokio
//! runtime lives in the backend and every method blocks on it, so tokio
//! stays inside this module (a backend must therefore not be called or
//! dropped from within another tokio runtime).
//!
//! Tag moves are compare-then-put: distribution 2.8 has no conditional
//! write, so between reading a tag and putting it another writer can move
//! it, and the later put wins. The catalog narrows that window by
//! reading the tag back after the put (`crate::cas`).

mod auth;
mod fail;
mod location;
mod paging;
mod plain;
mod referrers;
mod retry;
mod upload;

pub use auth::{lookup_named, Credentials, Env, PASSWORD_VAR, USERNAME_VAR};

use super::{Backend, Expect, LockGuard, RawManifest};
use crate::digest::{check_file_digest, hex_of, sha256_digest};
use crate::error::CatalogError;
use crate::oci::{self, Descriptor};
use fail::{Ctx, Kind};
use futures_util::StreamExt;
use location::Location;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};
use std::collections::HashSet;
use std::future::Future;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

/// What `get_manifest` accepts: OCI and Docker v2 manifests and indexes.
const ACCEPT: [&str; 4] = [
    oci::MANIFEST,
    oci::INDEX,
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
];

/// Manifest fetches in flight at once in `get_manifests`.
const CONCURRENCY: usize = 16;

pub struct RegistryBackend {
    at: Location,
    /// `at` as text, for messages.
    location: String,
    creds: Credentials,
    /// Built on first use (see `plain`): reads from an open registry do
    /// without it.
    client: OnceLock<Client>,
    rt: tokio::runtime::Runtime,
    /// Repositories (and whether for push) oci-client has been
    /// authenticated for: its token cache then renews tokens itself.
    authed: Mutex<HashSet<(String, bool)>>,
    /// What oci-client is handed: `creds.auth`, except for an open
    /// registry (see [`RegistryBackend::wire_auth`]). Set on first use.
    wire: OnceLock<RegistryAuth>,
    agent: ureq::Agent,
}

impl RegistryBackend {
    /// `location` is `REGISTRY/PREFIX` (what follows `oci://`); the
    /// credentials come from the process environment.
    pub fn new(location: &str) -> Result<Self, CatalogError> {
        Self::with_env(location, &|k| std::env::var(k).ok())
    }

    /// As [`RegistryBackend::new`], reading the environment through `env`.
    pub fn with_env(location: &str, env: Env<'_>) -> Result<Self, CatalogError> {
        let at = Location::parse(location)?;
        let creds = auth::lookup(&at.registry, &at.prefix, env)?;
        Self::with_credentials(at, creds)
    }

    /// As [`RegistryBackend::with_env`], with other names for the user
    /// and password variables.
    pub fn with_env_named(
        location: &str,
        env: Env<'_>,
        vars: (&str, &str),
    ) -> Result<Self, CatalogError> {
        let at = Location::parse(location)?;
        let creds = auth::lookup_named(&at.registry, &at.prefix, env, vars)?;
        Self::with_credentials(at, creds)
    }

    fn with_credentials(at: Location, creds: Credentials) -> Result<Self, CatalogError> {
        let location = at.to_string();
        let agent = referrers::agent(!at.loopback());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CatalogError::Registry {
                location: location.clone(),
                why: format!("cannot start the registry client: {e}"),
            })?;
        Ok(RegistryBackend {
            at,
            location,
            creds,
            client: OnceLock::new(),
            rt,
            authed: Mutex::new(HashSet::new()),
            wire: OnceLock::new(),
            agent,
        })
    }

    /// oci-client, holding the credentials it is to send.
    async fn client(&self) -> Result<&Client, CatalogError> {
        let auth = self.wire_auth().await?;
        let client = self.client.get_or_init(|| {
            let protocol = if self.at.loopback() {
                ClientProtocol::HttpsExcept(vec![self.at.registry.clone()])
            } else {
                ClientProtocol::Https
            };
            Client::new(ClientConfig {
                protocol,
                connect_timeout: Some(Duration::from_secs(15)),
                read_timeout: Some(Duration::from_secs(300)),
                ..ClientConfig::default()
            })
        });
        // Calls that take no credentials (blob and manifest pushes, blob
        // pulls) find them in the client.
        client.store_auth_if_needed(&self.at.registry, auth).await;
        Ok(client)
    }

    /// Does the registry let anyone read without a token?
    async fn open(&self) -> Result<bool, CatalogError> {
        Ok(matches!(self.wire_auth().await?, RegistryAuth::Bearer(t) if t.is_empty()))
    }

    /// `scheme://registry/v2/REPOSITORY`.
    fn repo_url(&self, r: &Reference) -> String {
        format!(
            "{}://{}/v2/{}",
            self.at.scheme(),
            self.at.registry,
            r.repository()
        )
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            location: &self.location,
            creds: &self.creds.source,
        }
    }

    fn tag_ref(&self, bucket: &str, tag: &str) -> Result<Reference, CatalogError> {
        if !tag_ok(tag) {
            return Err(CatalogError::Registry {
                location: self.location.clone(),
                why: format!("{tag:?} is not a valid tag"),
            });
        }
        Ok(Reference::with_tag(
            self.at.registry.clone(),
            self.at.repository(bucket)?,
            tag.to_owned(),
        ))
    }

    fn digest_ref(&self, bucket: &str, digest: &str) -> Result<Reference, CatalogError> {
        if hex_of(digest).is_none() {
            return Err(CatalogError::corrupt(
                format!("digest {digest:?}"),
                "not sha256",
            ));
        }
        Ok(Reference::with_digest(
            self.at.registry.clone(),
            self.at.repository(bucket)?,
            digest.to_owned(),
        ))
    }

    /// A tag or a `sha256:` digest.
    fn any_ref(&self, bucket: &str, reference: &str) -> Result<Reference, CatalogError> {
        if reference.starts_with("sha256:") {
            self.digest_ref(bucket, reference)
        } else {
            self.tag_ref(bucket, reference)
        }
    }

    /// The credentials oci-client works with. Anonymous access to a
    /// registry that asks for no authentication at all (`GET /v2/` is a
    /// 200 without a challenge, as an open distribution answers) becomes
    /// an empty bearer token: oci-client otherwise probes `/v2/` again
    /// before every request for lack of a token to cache, which doubles
    /// the requests of listing a thousand versions. Such a registry never
    /// looks at the header.
    async fn wire_auth(&self) -> Result<&RegistryAuth, CatalogError> {
        if let Some(a) = self.wire.get() {
            return Ok(a);
        }
        let auth = match &self.creds.auth {
            RegistryAuth::Anonymous => {
                let url = format!("{}://{}/v2/", self.at.scheme(), self.at.registry);
                let agent = self.agent.clone();
                let open = tokio::task::spawn_blocking(move || referrers::is_open(&agent, &url))
                    .await
                    .unwrap_or(Ok(false))
                    .map_err(|why| self.ctx().of_kind(Kind::Unreachable, "connect", &why))?;
                if open {
                    RegistryAuth::Bearer(String::new())
                } else {
                    RegistryAuth::Anonymous
                }
            }
            other => other.clone(),
        };
        Ok(self.wire.get_or_init(|| auth))
    }

    /// Authenticate for `r`'s repository once (a bearer registry hands out
    /// a token per repository and operation); oci-client renews it.
    async fn ensure_auth(&self, r: &Reference, op: RegistryOperation) -> Result<(), CatalogError> {
        let push = matches!(op, RegistryOperation::Push);
        let key = (r.repository().to_owned(), push);
        let auth = self.wire_auth().await?;
        if self.authed.lock().is_ok_and(|s| s.contains(&key)) {
            return Ok(());
        }
        if !push && self.open().await? {
            return Ok(());
        }
        self.client()
            .await?
            .auth(r, auth, op)
            .await
            .map_err(|e| self.ctx().error("authenticate", &e))?;
        if let Ok(mut s) = self.authed.lock() {
            s.insert(key);
        }
        Ok(())
    }

    fn block_on<T>(
        &self,
        fut: impl Future<Output = Result<T, CatalogError>>,
    ) -> Result<T, CatalogError> {
        self.rt.block_on(fut)
    }

    async fn fetch_manifest(
        &self,
        r: &Reference,
        what: &str,
    ) -> Result<Option<RawManifest>, CatalogError> {
        let auth = self.wire_auth().await?;
        let fetched = if self.open().await? {
            let reference = r.digest().or(r.tag()).unwrap_or_default();
            let url = format!("{}/manifests/{reference}", self.repo_url(r));
            let what = format!("get manifest {what}");
            plain::get(&self.agent, &url, &ACCEPT.join(", "), &what, &self.ctx())?
        } else {
            let client = self.client().await?;
            match retry::retry(|| client.pull_manifest_raw(r, auth, &ACCEPT)).await {
                Ok((bytes, _)) => Some(bytes.to_vec()),
                Err(e) if fail::kind(&e) == Kind::NotFound => None,
                Err(e) => return Err(self.ctx().error(&format!("get manifest {what}"), &e)),
            }
        };
        match fetched {
            Some(bytes) => {
                let digest = sha256_digest(&bytes);
                if r.digest().is_some_and(|d| d != digest) {
                    return Err(CatalogError::corrupt(
                        format!("manifest {what}"),
                        format!("the registry sent content with digest {digest}"),
                    ));
                }
                Ok(Some(RawManifest {
                    media_type: media_type_of(&bytes),
                    digest,
                    bytes,
                }))
            }
            None => Ok(None),
        }
    }

    /// The digest a tag points at, by a HEAD request.
    async fn tag_digest(&self, r: &Reference, tag: &str) -> Result<Option<String>, CatalogError> {
        let auth = self.wire_auth().await?;
        let client = self.client().await?;
        match retry::retry(|| client.fetch_manifest_digest(r, auth)).await {
            Ok(d) => Ok(Some(d)),
            Err(e) if fail::kind(&e) == Kind::NotFound => Ok(None),
            Err(e) => Err(self.ctx().error(&format!("read tag {tag}"), &e)),
        }
    }

    async fn push_manifest(
        &self,
        r: &Reference,
        manifest: &RawManifest,
        what: &str,
    ) -> Result<(), CatalogError> {
        // The header type (http's) is inferred from oci-client's
        // signature: this crate need not depend on http for it.
        let Ok(content_type) = manifest.media_type.parse() else {
            return Err(CatalogError::corrupt(
                format!("manifest {}", manifest.digest),
                format!("media type {:?} is not a header value", manifest.media_type),
            ));
        };
        let client = self.client().await?;
        retry::retry(|| {
            client.push_manifest_raw(r, manifest.bytes.clone(), Clone::clone(&content_type))
        })
        .await
        .map(|_| ())
        .map_err(|e| self.ctx().error(&format!("put manifest {what}"), &e))
    }

    async fn blob_exists(&self, r: &Reference, digest: &str) -> Result<bool, CatalogError> {
        let client = self.client().await?;
        match retry::retry(|| client.blob_exists(r, digest)).await {
            Ok(b) => Ok(b),
            Err(e) if fail::kind(&e) == Kind::NotFound => Ok(false),
            Err(e) => Err(self.ctx().error(&format!("check blob {digest}"), &e)),
        }
    }

    /// A blob upload's error; a digest the registry disagrees with means
    /// the content changed under us.
    fn upload_error(&self, what: &str, digest: &str, e: &OciDistributionError) -> CatalogError {
        if fail::kind(e) == Kind::DigestInvalid {
            CatalogError::corrupt(
                what.to_owned(),
                format!(
                    "changed while it was stored (it is not {digest} any more): {}",
                    fail::chain(e)
                ),
            )
        } else {
            self.ctx().error(&format!("put blob {digest} ({what})"), e)
        }
    }

    fn blob_ref_for_push(&self, bucket: &str, digest: &str) -> Result<Reference, CatalogError> {
        let r = self.digest_ref(bucket, digest)?;
        self.block_on(self.ensure_auth(&r, RegistryOperation::Push))?;
        Ok(r)
    }
}

impl Backend for RegistryBackend {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn buckets(&self) -> Result<Vec<String>, CatalogError> {
        // Any repository names the registry for oci-client; `_catalog` is
        // registry-wide.
        let probe = Reference::with_tag(
            self.at.registry.clone(),
            self.at.repository("catalog")?,
            "latest".to_owned(),
        );
        let repos = self.block_on(async {
            self.ensure_auth(&probe, RegistryOperation::Pull).await?;
            let auth = self.wire_auth().await?;
            let client = self.client().await?;
            paging::all(|n, last| {
                let probe = &probe;
                async move {
                    retry::retry(|| client.catalog(probe, auth, Some(n), last.as_deref()))
                        .await
                        .map(|c| c.repositories)
                }
            })
            .await
            .map_err(|e| self.ctx().error("list repositories", &e))
        })?;
        let mut out: Vec<String> = repos
            .iter()
            .filter_map(|r| self.at.bucket_of(r))
            .map(str::to_owned)
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn bucket_exists(&self, bucket: &str) -> Result<bool, CatalogError> {
        Ok(!self.tags(bucket)?.is_empty())
    }

    fn has_blob(&self, bucket: &str, digest: &str) -> Result<bool, CatalogError> {
        let r = self.digest_ref(bucket, digest)?;
        self.block_on(async {
            self.ensure_auth(&r, RegistryOperation::Pull).await?;
            self.blob_exists(&r, digest).await
        })
    }

    fn put_blob(&self, bucket: &str, digest: &str, data: &[u8]) -> Result<(), CatalogError> {
        let r = self.blob_ref_for_push(bucket, digest)?;
        self.block_on(async {
            if self.blob_exists(&r, digest).await? {
                return Ok(());
            }
            let client = self.client().await?;
            retry::retry(|| client.push_blob(&r, data.to_vec(), digest))
                .await
                .map(|_| ())
                .map_err(|e| self.upload_error(&format!("{} bytes", data.len()), digest, &e))
        })
    }

    fn put_blob_file(&self, bucket: &str, digest: &str, path: &Path) -> Result<(), CatalogError> {
        let r = self.blob_ref_for_push(bucket, digest)?;
        self.block_on(async {
            if self.blob_exists(&r, digest).await? {
                return Ok(());
            }
            std::fs::metadata(path).map_err(|e| CatalogError::io("open", path, e))?;
            // Streamed: a chunked upload, one PATCH per chunk read; a
            // retry reads the file again from the start.
            let client = self.client().await?;
            retry::retry(|| async {
                let file = tokio::fs::File::open(path).await?;
                client
                    .push_blob_stream(&r, upload::chunks(file), digest)
                    .await
            })
            .await
            .map(|_| ())
            .map_err(|e| self.upload_error(&path.display().to_string(), digest, &e))
        })
    }

    fn get_blob(&self, bucket: &str, digest: &str) -> Result<Vec<u8>, CatalogError> {
        let r = self.digest_ref(bucket, digest)?;
        let data = self.block_on(async {
            self.ensure_auth(&r, RegistryOperation::Pull).await?;
            let client = self.client().await?;
            retry::retry(|| async {
                let mut buf: Vec<u8> = Vec::new();
                client.pull_blob(&r, digest, &mut buf).await.map(|()| buf)
            })
            .await
            .map_err(|e| self.ctx().error(&format!("get blob {digest}"), &e))
        })?;
        let got = sha256_digest(&data);
        if got != digest {
            return Err(CatalogError::corrupt(
                format!("blob {digest}"),
                format!("the registry sent content with digest {got}"),
            ));
        }
        Ok(data)
    }

    fn get_blob_file(&self, bucket: &str, digest: &str, dest: &Path) -> Result<(), CatalogError> {
        let r = self.digest_ref(bucket, digest)?;
        self.block_on(async {
            self.ensure_auth(&r, RegistryOperation::Pull).await?;
            let client = self.client().await?;
            retry::retry(|| async {
                // A retry starts the file again.
                let mut file = tokio::fs::File::create(dest).await?;
                client.pull_blob(&r, digest, &mut file).await?;
                tokio::io::AsyncWriteExt::flush(&mut file).await?;
                Ok::<(), OciDistributionError>(())
            })
            .await
            .map_err(|e| self.ctx().error(&format!("get blob {digest}"), &e))
        })?;
        check_file_digest(dest, digest, &format!("blob {digest}"))
    }

    fn put_manifest(&self, bucket: &str, manifest: &RawManifest) -> Result<(), CatalogError> {
        let r = self.digest_ref(bucket, &manifest.digest)?;
        self.block_on(async {
            self.ensure_auth(&r, RegistryOperation::Push).await?;
            self.push_manifest(&r, manifest, &manifest.digest).await
        })
    }

    fn get_manifest(
        &self,
        bucket: &str,
        reference: &str,
    ) -> Result<Option<RawManifest>, CatalogError> {
        let r = self.any_ref(bucket, reference)?;
        self.block_on(async {
            self.ensure_auth(&r, RegistryOperation::Pull).await?;
            self.fetch_manifest(&r, reference).await
        })
    }

    fn get_manifests(
        &self,
        bucket: &str,
        references: &[String],
    ) -> Result<Vec<Option<RawManifest>>, CatalogError> {
        let refs = references
            .iter()
            .map(|s| self.any_ref(bucket, s).map(|r| (r, s.as_str())))
            .collect::<Result<Vec<_>, _>>()?;
        let Some((first, _)) = refs.first() else {
            return Ok(Vec::new());
        };
        self.block_on(async {
            // Once, before the fetches race each other for a token.
            self.ensure_auth(first, RegistryOperation::Pull).await?;
            let results: Vec<Result<Option<RawManifest>, CatalogError>> =
                futures_util::stream::iter(refs.iter())
                    .map(|(r, what)| self.fetch_manifest(r, what))
                    .buffered(CONCURRENCY)
                    .collect()
                    .await;
            results.into_iter().collect()
        })
    }

    fn tags(&self, bucket: &str) -> Result<Vec<String>, CatalogError> {
        let r = self.tag_ref(bucket, "latest")?;
        self.block_on(async {
            self.ensure_auth(&r, RegistryOperation::Pull).await?;
            if self.open().await? {
                let base = self.repo_url(&r);
                let ctx = self.ctx();
                return paging::all(|n, last| {
                    let (base, ctx) = (&base, &ctx);
                    async move { plain::tag_page(&self.agent, base, n, last.as_deref(), ctx) }
                })
                .await;
            }
            let auth = self.wire_auth().await?;
            let client = self.client().await?;
            let listed = paging::all(|n, last| {
                let r = &r;
                async move {
                    retry::retry(|| client.list_tags(r, auth, Some(n), last.as_deref()))
                        .await
                        .map(|t| t.tags)
                }
            })
            .await;
            match listed {
                Ok(tags) => Ok(tags),
                Err(e) if fail::kind(&e) == Kind::NotFound => Ok(Vec::new()),
                Err(e) => Err(self.ctx().error(&format!("list the tags of {bucket}"), &e)),
            }
        })
    }

    fn set_tag(
        &self,
        bucket: &str,
        tag: &str,
        manifest: &RawManifest,
        expected: &Expect,
    ) -> Result<bool, CatalogError> {
        let r = self.tag_ref(bucket, tag)?;
        self.block_on(async {
            self.ensure_auth(&r, RegistryOperation::Push).await?;
            let ok = match expected {
                Expect::Any => true,
                Expect::Absent => self.tag_digest(&r, tag).await?.is_none(),
                Expect::Digest(d) => self.tag_digest(&r, tag).await?.as_deref() == Some(d.as_str()),
            };
            if !ok {
                return Ok(false);
            }
            // The window: another writer may move the tag between the read
            // above and this put; the caller reads the tag back.
            self.push_manifest(&r, manifest, tag).await?;
            Ok(true)
        })
    }

    fn referrers(
        &self,
        bucket: &str,
        digest: &str,
    ) -> Result<Option<Vec<Descriptor>>, CatalogError> {
        let r = self.digest_ref(bucket, digest)?;
        // oci-client does not make this request, so its token is asked
        // for here (`auth` answers with it for a bearer registry).
        let token = self.block_on(async {
            if self.open().await? {
                return Ok(Some(String::new()));
            }
            let auth = self.wire_auth().await?;
            self.client()
                .await?
                .auth(&r, auth, RegistryOperation::Pull)
                .await
                .map_err(|e| self.ctx().error("authenticate", &e))
        })?;
        let authorization = match token {
            Some(t) if !t.is_empty() => Some(format!("Bearer {t}")),
            Some(_) => None,
            None => self.creds.basic_header(),
        };
        let url = format!(
            "{}://{}/v2/{}/referrers/{digest}",
            self.at.scheme(),
            self.at.registry,
            r.repository()
        );
        referrers::fetch(&self.agent, &url, authorization.as_deref(), &self.ctx())
    }

    fn lock(&self, _bucket: &str) -> Result<LockGuard, CatalogError> {
        // Writers to a registry rely on compare-before-put, not a lock.
        Ok(Box::new(()))
    }
}

/// distribution's tag grammar.
fn tag_ok(tag: &str) -> bool {
    let mut chars = tag.chars();
    tag.len() <= 128
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// A fetched manifest's media type: its `mediaType` field, else what its
/// shape says (an index lists `manifests`).
fn media_type_of(bytes: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    match v.get("mediaType").and_then(serde_json::Value::as_str) {
        Some(mt) => mt.to_owned(),
        None if v.get("manifests").is_some() => oci::INDEX.to_owned(),
        None => oci::MANIFEST.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_grammar() {
        assert!(tag_ok("v1"));
        assert!(tag_ok("sha256-abc"));
        assert!(tag_ok("_x.y-z"));
        assert!(!tag_ok(""));
        assert!(!tag_ok(".v1"));
        assert!(!tag_ok("a/b"));
        assert!(!tag_ok(&"a".repeat(129)));
    }

    #[test]
    fn media_types_from_content() {
        assert_eq!(media_type_of(br#"{"mediaType":"x/y"}"#), "x/y");
        assert_eq!(media_type_of(br#"{"manifests":[]}"#), oci::INDEX);
        assert_eq!(media_type_of(b"{}"), oci::MANIFEST);
        assert_eq!(media_type_of(b"not json"), oci::MANIFEST);
    }

    #[test]
    fn a_bad_location_is_an_error() {
        let env = |_: &str| None;
        assert!(matches!(
            RegistryBackend::with_env("no host/", &env),
            Err(CatalogError::BadLocation(_))
        ));
    }
}
