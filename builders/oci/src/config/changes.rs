//! Packer's `changes`: Dockerfile instructions applied to the image
//! config, as `docker commit --change` does.

use super::run_config::RunConfig;
use super::words;

/// Apply one `changes` line.
pub fn apply(rc: &mut RunConfig, line: &str) -> Result<(), String> {
    let line = line.trim();
    let (instr, rest) = line
        .split_once(char::is_whitespace)
        .map_or((line, ""), |(i, r)| (i, r.trim()));
    let upper = instr.to_ascii_uppercase();
    let need = |what: &str| -> Result<(), String> {
        if rest.is_empty() {
            Err(format!("{upper} requires {what}: {line:?}"))
        } else {
            Ok(())
        }
    };
    match upper.as_str() {
        "ENV" => {
            need("at least one argument")?;
            if let Some((key, value)) = legacy_name_value(&upper, rest)? {
                rc.set_env(&key, &value);
                return Ok(());
            }
            for kv in words::split(rest)? {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("ENV names must be followed by =VALUE: {kv:?}"))?;
                rc.set_env(k, v);
            }
        }
        "LABEL" => {
            need("at least one argument")?;
            if let Some((key, value)) = legacy_name_value(&upper, rest)? {
                rc.labels.insert(key, value);
                return Ok(());
            }
            for kv in words::split(rest)? {
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("LABEL names must be followed by =VALUE: {kv:?}"))?;
                rc.labels.insert(k.to_owned(), v.to_owned());
            }
        }
        "CMD" => {
            need("an argument")?;
            rc.cmd = Some(command(rest)?);
        }
        "ENTRYPOINT" => {
            need("an argument")?;
            rc.entrypoint = Some(command(rest)?);
        }
        "EXPOSE" => {
            need("at least one port")?;
            for p in words::split(rest)? {
                rc.expose(&p)?;
            }
        }
        "VOLUME" => {
            need("at least one path")?;
            let paths = match json_array(rest) {
                Some(a) => a?,
                None => words::split(rest)?,
            };
            rc.volumes.extend(paths);
        }
        "USER" => {
            need("an argument")?;
            rc.user = Some(single(rest)?);
        }
        "WORKDIR" => {
            need("a path")?;
            let dir = single(rest)?;
            // A relative WORKDIR is relative to the previous one.
            rc.working_dir = Some(match (&rc.working_dir, dir.starts_with('/')) {
                (Some(prev), false) => format!("{}/{dir}", prev.trim_end_matches('/')),
                (None, false) => format!("/{dir}"),
                (_, true) => dir,
            });
        }
        "STOPSIGNAL" => {
            need("a signal")?;
            rc.stop_signal = Some(single(rest)?);
        }
        "ONBUILD" => {
            return Err(
                "ONBUILD is not supported: OCI image configs have no place for build triggers"
                    .into(),
            )
        }
        _ => {
            return Err(format!(
                "{instr} is not a valid change command (use ENV, CMD, ENTRYPOINT, WORKDIR, USER, EXPOSE, LABEL, VOLUME or STOPSIGNAL)"
            ))
        }
    }
    Ok(())
}

/// The legacy `ENV key value` / `LABEL key value` form, which Docker's
/// parser picks when the first word has no `=`: one key, and the rest of
/// the line (quotes resolved, inner whitespace kept) is the value. `None`
/// for the `key=value ...` form.
fn legacy_name_value(instr: &str, rest: &str) -> Result<Option<(String, String)>, String> {
    let words = words::split(rest)?;
    if words.first().is_none_or(|w| w.contains('=')) {
        return Ok(None);
    }
    let (key, value) = rest
        .split_once(char::is_whitespace)
        .ok_or_else(|| format!("{instr} must have two arguments: {instr} {rest}"))?;
    Ok(Some((
        words::unquote(key)?,
        words::unquote(value.trim_start())?,
    )))
}

/// JSON array form, or shell form run by `/bin/sh -c`.
fn command(rest: &str) -> Result<Vec<String>, String> {
    match json_array(rest) {
        Some(a) => a,
        None => Ok(vec!["/bin/sh".into(), "-c".into(), rest.into()]),
    }
}

fn json_array(rest: &str) -> Option<Result<Vec<String>, String>> {
    rest.starts_with('[').then(|| {
        serde_json::from_str::<Vec<String>>(rest)
            .map_err(|e| format!("invalid JSON array {rest:?}: {e}"))
    })
}

fn single(rest: &str) -> Result<String, String> {
    match words::split(rest)?.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!("expected one argument, got {rest:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(lines: &[&str]) -> RunConfig {
        let mut rc = RunConfig::default();
        for l in lines {
            apply(&mut rc, l).unwrap();
        }
        rc
    }

    #[test]
    fn dockerfile_instructions() {
        let rc = applied(&[
            "ENV PATH=/usr/bin A=\"b c\"",
            "ENV PATH=/bin",
            "ENV LEGACY some value",
            "CMD [\"nginx\", \"-g\", \"daemon off;\"]",
            "ENTRYPOINT /docker-entrypoint.sh",
            "EXPOSE 80 53/udp",
            "LABEL version=1.0 \"com.example.team\"=blue",
            "VOLUME [\"/data\", \"/logs\"]",
            "VOLUME /cache",
            "USER app",
            "WORKDIR /srv",
            "WORKDIR app",
            "STOPSIGNAL SIGQUIT",
        ]);
        assert_eq!(rc.env, ["PATH=/bin", "A=b c", "LEGACY=some value"]);
        assert_eq!(rc.cmd.unwrap(), ["nginx", "-g", "daemon off;"]);
        assert_eq!(
            rc.entrypoint.unwrap(),
            ["/bin/sh", "-c", "/docker-entrypoint.sh"]
        );
        assert_eq!(
            rc.exposed_ports.into_iter().collect::<Vec<_>>(),
            ["53/udp", "80/tcp"]
        );
        assert_eq!(rc.labels.get("com.example.team").unwrap(), "blue");
        assert_eq!(
            rc.volumes.into_iter().collect::<Vec<_>>(),
            ["/cache", "/data", "/logs"]
        );
        assert_eq!(rc.user.unwrap(), "app");
        assert_eq!(rc.working_dir.unwrap(), "/srv/app");
        assert_eq!(rc.stop_signal.unwrap(), "SIGQUIT");
    }

    #[test]
    fn legacy_label_and_env_take_the_rest_of_the_line() {
        let rc = applied(&[
            "LABEL maintainer Jane Doe <jane@example.com>",
            "LABEL description \"A  web app\"",
            "LABEL version=2 \"com.example.team\"=\"red team\"",
            "ENV GREETING \"hello   world\"",
        ]);
        assert_eq!(
            rc.labels.get("maintainer").unwrap(),
            "Jane Doe <jane@example.com>"
        );
        assert_eq!(rc.labels.get("description").unwrap(), "A  web app");
        assert_eq!(rc.labels.get("version").unwrap(), "2");
        assert_eq!(rc.labels.get("com.example.team").unwrap(), "red team");
        assert_eq!(rc.env, ["GREETING=hello   world"]);
        let mut rc = RunConfig::default();
        assert_eq!(
            apply(&mut rc, "LABEL lonely").expect_err("an error"),
            "LABEL must have two arguments: LABEL lonely"
        );
    }

    #[test]
    fn onbuild_and_unknown_instructions_are_rejected() {
        let mut rc = RunConfig::default();
        assert!(apply(&mut rc, "ONBUILD RUN make")
            .expect_err("an error")
            .contains("ONBUILD is not supported"));
        assert!(apply(&mut rc, "RUN make")
            .expect_err("an error")
            .contains("not a valid change command"));
        assert!(apply(&mut rc, "EXPOSE http")
            .expect_err("an error")
            .contains("invalid port"));
        assert!(apply(&mut rc, "CMD")
            .expect_err("an error")
            .contains("requires"));
    }
}
