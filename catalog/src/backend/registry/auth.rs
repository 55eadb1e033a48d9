//! Credentials for the catalog's registry, found the way the push
//! post-processors find theirs: `KILN_CATALOG_USERNAME` and
//! `KILN_CATALOG_PASSWORD`, else the registry's entry in the containers
//! auth file (`$REGISTRY_AUTH_FILE`, else
//! `$XDG_RUNTIME_DIR/containers/auth.json`), else in Docker's
//! `config.json`, else anonymous. Bearer tokens are oci-client's business:
//! it trades these for one at the registry's token service.
//!
//! Where the credentials came from is kept, so that a refusal can say
//! which ones the registry turned down.

use crate::error::CatalogError;
use base64::Engine;
use oci_client::secrets::RegistryAuth;
use serde_json::Value;
use std::path::PathBuf;

pub const USERNAME_VAR: &str = "KILN_CATALOG_USERNAME";
pub const PASSWORD_VAR: &str = "KILN_CATALOG_PASSWORD";

/// How the environment is read: `std::env::var` in a real run; tests
/// hand in their own so that they need not change the process's.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

#[derive(Clone)]
pub struct Credentials {
    pub auth: RegistryAuth,
    /// "KILN_CATALOG_USERNAME/KILN_CATALOG_PASSWORD (user bob)", "the
    /// entry for HOST in FILE (user bob)" or "none (anonymous)…".
    pub source: String,
}

// Never print a password, also not in a debug dump of the backend.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

impl Credentials {
    pub fn anonymous(why: impl Into<String>) -> Credentials {
        Credentials {
            auth: RegistryAuth::Anonymous,
            source: why.into(),
        }
    }

    pub fn basic(user: &str, password: &str, from: &str) -> Credentials {
        Credentials {
            auth: RegistryAuth::Basic(user.to_owned(), password.to_owned()),
            source: format!("{from} (user {user})"),
        }
    }

    /// The `Authorization` header value for a request oci-client does not
    /// make itself, when no bearer token is in play.
    pub fn basic_header(&self) -> Option<String> {
        match &self.auth {
            RegistryAuth::Basic(u, p) => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )),
            _ => None,
        }
    }
}

/// The credentials for repositories under `host/prefix`.
pub fn lookup(host: &str, prefix: &str, env: Env<'_>) -> Result<Credentials, CatalogError> {
    lookup_named(host, prefix, env, (USERNAME_VAR, PASSWORD_VAR))
}

/// [`lookup`] with other names for the user and password variables
/// (the step cache's `KILN_CACHE_USERNAME`/`KILN_CACHE_PASSWORD`).
pub fn lookup_named(
    host: &str,
    prefix: &str,
    env: Env<'_>,
    (user_var, password_var): (&str, &str),
) -> Result<Credentials, CatalogError> {
    let user = env(user_var).filter(|u| !u.is_empty());
    let password = env(password_var).filter(|p| !p.is_empty());
    match (user, password) {
        (Some(u), Some(p)) => {
            return Ok(Credentials::basic(
                &u,
                &p,
                &format!("{user_var}/{password_var}"),
            ))
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(CatalogError::Denied {
                location: format!("oci://{host}"),
                why: format!("set both {user_var} and {password_var}, or neither"),
            })
        }
        (None, None) => {}
    }
    let files = auth_files(env);
    for file in &files {
        if let Some((u, p)) = from_file(file, host, prefix)? {
            return Ok(Credentials::basic(
                &u,
                &p,
                &format!("the entry for {host} in {}", file.display()),
            ));
        }
    }
    let looked: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    Ok(Credentials::anonymous(format!(
        "none (anonymous): {user_var} is not set and no entry for {host} in {}",
        if looked.is_empty() {
            "any auth file (none found)".to_owned()
        } else {
            looked.join(", ")
        }
    )))
}

/// The files to look in, in order: the containers auth file, then
/// Docker's.
fn auth_files(env: Env<'_>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    match env("REGISTRY_AUTH_FILE").filter(|f| !f.is_empty()) {
        Some(f) => out.push(PathBuf::from(f)),
        None => {
            if let Some(run) = env("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
                out.push(PathBuf::from(run).join("containers/auth.json"));
            }
        }
    }
    match env("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        Some(d) => out.push(PathBuf::from(d).join("config.json")),
        None => {
            if let Some(home) = env("HOME").filter(|h| !h.is_empty()) {
                out.push(PathBuf::from(home).join(".docker/config.json"));
            }
        }
    }
    out
}

/// The user and password `file` holds for `host/prefix`; `None` when the
/// file does not exist or has no entry for it. An entry keyed by a
/// namespace (`host/team`, as the containers format allows) wins over
/// one for the whole host; Docker's URL keys (`https://host/v1/`) name
/// the host.
fn from_file(
    file: &std::path::Path,
    host: &str,
    prefix: &str,
) -> Result<Option<(String, String)>, CatalogError> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CatalogError::io("read the auth file", file, e)),
    };
    let what = || format!("auth file {}", file.display());
    let doc: Value =
        serde_json::from_slice(&bytes).map_err(|e| CatalogError::corrupt(what(), e))?;
    let Some(auths) = doc.get("auths").and_then(Value::as_object) else {
        return Ok(None);
    };
    let wanted = if prefix.is_empty() {
        host.to_owned()
    } else {
        format!("{host}/{prefix}")
    };
    let best = auths
        .iter()
        .filter_map(|(key, entry)| {
            let scope = key_scope(key);
            let covers = wanted == scope
                || (wanted.starts_with(&scope) && wanted[scope.len()..].starts_with('/'));
            (covers && same_host(&scope, host)).then_some((scope.len(), key, entry))
        })
        .max_by_key(|(len, _, _)| *len);
    let Some((_, key, entry)) = best else {
        return Ok(None);
    };
    let Some(encoded) = entry.get("auth").and_then(Value::as_str) else {
        // An identity token or a credential helper: not something kiln
        // speaks; anonymous is then the honest fallback.
        return Ok(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| CatalogError::corrupt(what(), format!("auths.{key}.auth is not base64")))?;
    let (u, p) = decoded.split_once(':').ok_or_else(|| {
        CatalogError::corrupt(what(), format!("auths.{key}.auth is not user:password"))
    })?;
    Ok(Some((u.to_owned(), p.to_owned())))
}

/// `https://host/v1/` → `host`; `host/ns` → `host/ns`.
fn key_scope(key: &str) -> String {
    match key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
    {
        Some(rest) => rest.split('/').next().unwrap_or(rest).to_owned(),
        None => key.trim_end_matches('/').to_owned(),
    }
}

/// Docker Hub goes by several names in auth files.
fn same_host(scope: &str, host: &str) -> bool {
    const HUB: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];
    let scope_host = scope.split('/').next().unwrap_or(scope);
    scope_host == host || (HUB.contains(&scope_host) && HUB.contains(&host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        move |k| m.get(k).cloned()
    }

    fn auth_file(dir: &std::path::Path, name: &str, auths: Value) -> String {
        let p = dir.join(name);
        std::fs::write(
            &p,
            serde_json::to_vec(&serde_json::json!({ "auths": auths })).unwrap_or_default(),
        )
        .ok();
        p.display().to_string()
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn user_of(c: &Credentials) -> Option<String> {
        match &c.auth {
            RegistryAuth::Basic(u, _) => Some(u.clone()),
            _ => None,
        }
    }

    #[test]
    fn env_vars_win_over_auth_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = auth_file(
            dir.path(),
            "a.json",
            serde_json::json!({"r:5000": {"auth": b64("file:pw")}}),
        );
        let e = env(&[
            (USERNAME_VAR, "envuser".into()),
            (PASSWORD_VAR, "pw".into()),
            ("REGISTRY_AUTH_FILE", f),
        ]);
        let c = lookup("r:5000", "p", &e).expect("creds");
        assert_eq!(user_of(&c).as_deref(), Some("envuser"));
        assert!(c.source.contains(USERNAME_VAR), "{}", c.source);
    }

    #[test]
    fn half_set_env_is_an_error() {
        let e = env(&[(USERNAME_VAR, "u".into())]);
        assert!(matches!(
            lookup("r", "", &e),
            Err(CatalogError::Denied { .. })
        ));
    }

    #[test]
    fn containers_file_then_docker_file_and_namespaces() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = dir.path().join("run");
        std::fs::create_dir_all(run.join("containers")).ok();
        auth_file(
            &run.join("containers"),
            "auth.json",
            serde_json::json!({
                "r:5000": {"auth": b64("host:pw")},
                "r:5000/team": {"auth": b64("team:pw")},
            }),
        );
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".docker")).ok();
        auth_file(
            &home.join(".docker"),
            "config.json",
            serde_json::json!({"https://other:1/v1/": {"auth": b64("docker:pw")}}),
        );
        let e = env(&[
            ("XDG_RUNTIME_DIR", run.display().to_string()),
            ("HOME", home.display().to_string()),
        ]);
        let user = |host, prefix| lookup(host, prefix, &e).ok().and_then(|c| user_of(&c));
        assert_eq!(user("r:5000", "team/x").as_deref(), Some("team"));
        assert_eq!(user("r:5000", "teamx").as_deref(), Some("host"));
        assert_eq!(user("other:1", "").as_deref(), Some("docker"));
        let anon = lookup("nowhere", "", &e).expect("anonymous");
        assert!(user_of(&anon).is_none());
        assert!(anon.source.contains("anonymous"), "{}", anon.source);
    }

    #[test]
    fn a_broken_auth_file_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("auth.json");
        std::fs::write(&p, "{not json").ok();
        let e = env(&[("REGISTRY_AUTH_FILE", p.display().to_string())]);
        let err = lookup("r", "", &e)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("auth.json"), "{err}");
    }
}
