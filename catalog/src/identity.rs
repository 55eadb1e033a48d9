//! Who is acting, for version authors and event records: the CI's
//! identity where a CI says who triggered the run, else the local user.

pub fn who() -> String {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let Some(actor) = env("KILN_CATALOG_AUTHOR") {
        return actor;
    }
    if let Some(actor) = env("GITHUB_ACTOR") {
        return format!("github:{actor}");
    }
    if let Some(actor) = env("GITLAB_USER_LOGIN") {
        return format!("gitlab:{actor}");
    }
    if let Some(actor) = env("BUILDKITE_BUILD_CREATOR") {
        return format!("buildkite:{actor}");
    }
    let user = env("USER")
        .or_else(|| env("LOGNAME"))
        .unwrap_or_else(|| "unknown".to_owned());
    match env("CI") {
        Some(_) => format!("ci:{user}"),
        None => user,
    }
}

/// Now, as the catalog stamps it (RFC 3339, UTC, nanoseconds).
pub fn now() -> String {
    jiff::Timestamp::now().to_string()
}
