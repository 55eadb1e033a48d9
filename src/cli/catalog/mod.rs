//! `kiln catalog …`: versions, channels, promotion, rollback, revocation
//! and ancestry in the image catalog `KILN_CATALOG` names. Every
//! subcommand takes `-json` for scripts; bad input is a clear error and
//! exit 1.

mod view;

use super::flags::{self, flag, Flag, Kind, Parsed};
use kiln_catalog::catalog::Catalog;
use kiln_catalog::names::{parse_version, version_tag};
use kiln_catalog::ops::Moved;
use kiln_catalog::CatalogError;
use serde_json::{json, Value};

pub const HELP: &str = "Usage: kiln catalog <subcommand> [options] [args]

  The image catalog: buckets (image lines), versions v1, v2, … (one per
  complete `kiln build` run with an hcp_packer_registry block), channels,
  revocation and ancestry. The store is KILN_CATALOG: dir:PATH or
  oci://REGISTRY/PREFIX (default dir:~/.local/share/kiln/catalog).

Subcommands:
  list [BUCKET]                              buckets, or a bucket's versions
  show BUCKET[:vN|:CHANNEL]                  one version (default: the latest)
  promote BUCKET vN -channel C [-reason R]   assign a version to a channel
  rollback BUCKET -channel C [-to vN] [-reason R]
                                             move a channel back
  history BUCKET -channel C                  a channel's moves
  revoke BUCKET vN -reason R [-at TIME] [-descendants]
                                             withdraw a version (TIME: RFC 3339)
  restore BUCKET vN [-reason R]              lift a revocation
  ancestry BUCKET:vN                         what a version was built from, and what from it
  resolve BUCKET CHANNEL -platform P [-region R]
                                             print the channel's artifact id
  export-stream BUCKET CHANNEL               the channel as a JSON stream document
  sync SRC DST                               copy a catalog between stores

Every subcommand takes -json.
";

const SPEC: &[Flag] = &[
    flag("json", Kind::Bool),
    flag("channel", Kind::Value),
    flag("reason", Kind::Value),
    flag("to", Kind::Value),
    flag("at", Kind::Value),
    flag("descendants", Kind::Bool),
    flag("platform", Kind::Value),
    flag("region", Kind::Value),
];

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let Some((sub, rest)) = args.split_first() else {
        eprint!("{HELP}");
        return Ok(1);
    };
    if matches!(sub.as_str(), "-h" | "-help" | "--help" | "help") {
        print!("{HELP}");
        return Ok(0);
    }
    let p = match flags::parse(&flags_first(rest), SPEC) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    match dispatch(sub, &p) {
        Ok(out) => {
            if p.bool("json") {
                println!("{}", serde_json::to_string_pretty(&out.json)?);
            } else {
                print!("{}", out.text);
            }
            Ok(0)
        }
        Err(Failure::Usage(m)) => super::usage_error(&m, HELP),
        Err(Failure::Catalog(e)) => {
            if p.bool("json") {
                println!("{}", json!({"error": e.to_string()}));
            }
            eprintln!("Error: {e}");
            Ok(1)
        }
    }
}

/// Go's flag package stops at the first argument; these commands read
/// naturally with flags after the arguments (`promote web v3 -channel
/// prod`), so flags are moved ahead of them first.
fn flags_first(args: &[String]) -> Vec<String> {
    let mut flags = Vec::new();
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let name = a
            .strip_prefix("--")
            .or_else(|| a.strip_prefix('-'))
            .filter(|n| !n.is_empty());
        match name {
            Some(n) => {
                flags.push(a.clone());
                let bare = n.split_once('=').map_or(n, |(k, _)| k);
                let takes_value = SPEC
                    .iter()
                    .any(|f| f.name == bare && matches!(f.kind, Kind::Value));
                if takes_value && !n.contains('=') {
                    if let Some(v) = args.get(i + 1) {
                        flags.push(v.clone());
                        i += 1;
                    }
                }
            }
            None => positional.push(a.clone()),
        }
        i += 1;
    }
    flags.push("--".to_owned());
    flags.extend(positional);
    flags
}

pub(super) struct Out {
    pub text: String,
    pub json: Value,
}

pub(super) enum Failure {
    Usage(String),
    Catalog(CatalogError),
}

impl From<CatalogError> for Failure {
    fn from(e: CatalogError) -> Failure {
        Failure::Catalog(e)
    }
}

fn args<const N: usize>(p: &Parsed, usage: &str) -> Result<[String; N], Failure> {
    <[String; N]>::try_from(p.args.clone())
        .map_err(|_| Failure::Usage(format!("usage: kiln catalog {usage}")))
}

fn required(p: &Parsed, name: &str, usage: &str) -> Result<String, Failure> {
    p.values(name)
        .last()
        .map(str::to_owned)
        .ok_or_else(|| Failure::Usage(format!("-{name} is required: kiln catalog {usage}")))
}

fn version(s: &str) -> Result<u64, Failure> {
    parse_version(s).map_err(Failure::Catalog)
}

fn catalog() -> Result<Catalog, Failure> {
    Ok(kiln_catalog::locate::from_env()?)
}

fn dispatch(sub: &str, p: &Parsed) -> Result<Out, Failure> {
    let reason = p.values("reason").last().unwrap_or_default().to_owned();
    match sub {
        "list" => match p.args.as_slice() {
            [] => list_buckets(&catalog()?),
            [b] => view::list_versions(&catalog()?, b),
            _ => Err(Failure::Usage("usage: kiln catalog list [BUCKET]".into())),
        },
        "show" => {
            let [r] = args::<1>(p, "show BUCKET[:vN|:CHANNEL]")?;
            view::show(&catalog()?, &r)
        }
        "promote" => {
            let usage = "promote BUCKET vN -channel C";
            let [b, v] = args::<2>(p, usage)?;
            let c = required(p, "channel", usage)?;
            let m = catalog()?.promote(&b, version(&v)?, &c, &reason)?;
            Ok(moved(&[m]))
        }
        "rollback" => {
            let usage = "rollback BUCKET -channel C [-to vN]";
            let [b] = args::<1>(p, usage)?;
            let c = required(p, "channel", usage)?;
            let to = p.values("to").last().map(version).transpose()?;
            let m = catalog()?.rollback(&b, &c, to, &reason)?;
            Ok(moved(&[m]))
        }
        "history" => {
            let usage = "history BUCKET -channel C";
            let [b] = args::<1>(p, usage)?;
            let c = required(p, "channel", usage)?;
            view::history(&catalog()?, &b, &c)
        }
        "revoke" => {
            let usage = "revoke BUCKET vN -reason R [-at TIME] [-descendants]";
            let [b, v] = args::<2>(p, usage)?;
            let reason = required(p, "reason", usage)?;
            let at = match p.values("at").last() {
                None | Some("now") => None,
                Some(t) => Some(t.parse::<jiff::Timestamp>().map_err(|e| {
                    Failure::Usage(format!(
                        "invalid -at {t:?} (use RFC 3339, e.g. 2027-01-31T00:00:00Z): {e}"
                    ))
                })?),
            };
            let r = catalog()?.revoke(&b, version(&v)?, &reason, at, p.bool("descendants"))?;
            let mut text = String::new();
            for v in &r.revoked {
                if r.scheduled {
                    text.push_str(&format!("{v} will be revoked at {}\n", r.effective_at));
                } else {
                    text.push_str(&format!("{v} revoked\n"));
                }
            }
            text.push_str(&moved(&r.moved).text);
            Ok(Out {
                text,
                json: serde_json::to_value(&r).unwrap_or(Value::Null),
            })
        }
        "restore" => {
            let [b, v] = args::<2>(p, "restore BUCKET vN")?;
            let n = version(&v)?;
            catalog()?.restore(&b, n, &reason)?;
            Ok(Out {
                text: format!("{b}:{} restored\n", version_tag(n)),
                json: json!({"bucket": b, "version": n, "restored": true}),
            })
        }
        "ancestry" => {
            let [r] = args::<1>(p, "ancestry BUCKET:vN")?;
            view::ancestry(&catalog()?, &r)
        }
        "resolve" => {
            let usage = "resolve BUCKET CHANNEL -platform P [-region R]";
            let [b, c] = args::<2>(p, usage)?;
            let platform = required(p, "platform", usage)?;
            let cat = catalog()?;
            let (state, v) = cat.channel_version(&b, &c)?;
            let region = p.values("region").last();
            let r = Catalog::artifact_in(&state, v, &platform, region, None)?;
            Ok(Out {
                text: format!("{}\n", r.artifact.id),
                json: json!({"id": r.artifact.id, "region": r.artifact.region, "version": version_tag(v), "build": r.build.name}),
            })
        }
        "export-stream" => {
            let [b, c] = args::<2>(p, "export-stream BUCKET CHANNEL")?;
            let doc = catalog()?.export_stream(&b, &c)?;
            Ok(Out {
                text: format!(
                    "{}\n",
                    serde_json::to_string_pretty(&doc).unwrap_or_default()
                ),
                json: doc,
            })
        }
        "sync" => {
            let [src, dst] = args::<2>(p, "sync SRC DST")?;
            let s = kiln_catalog::locate::open(Some(&src))?;
            let d = kiln_catalog::locate::open(Some(&dst))?;
            let r = kiln_catalog::sync::sync(s.backend(), d.backend())?;
            Ok(Out {
                text: format!(
                    "copied {} buckets: {} tags, {} manifests, {} blobs\n",
                    r.buckets, r.tags, r.manifests, r.blobs
                ),
                json: serde_json::to_value(&r).unwrap_or(Value::Null),
            })
        }
        other => Err(Failure::Usage(format!(
            "unknown catalog subcommand {other:?}"
        ))),
    }
}

fn list_buckets(cat: &Catalog) -> Result<Out, Failure> {
    let mut text = String::new();
    let mut rows = Vec::new();
    for b in cat.buckets()? {
        let s = cat.state(&b)?;
        let channels: Vec<String> = s
            .channels
            .iter()
            .map(|(n, c)| format!("{n}={}", c.effective.map_or("-".into(), version_tag)))
            .collect();
        text.push_str(&format!(
            "{b}\t{} versions\tlatest {}\t{}\n",
            s.versions.len(),
            s.latest().map_or("-".into(), version_tag),
            channels.join(" ")
        ));
        rows.push(json!({
            "bucket": b,
            "versions": s.versions.len(),
            "latest": s.latest(),
            "channels": s.channels.iter().map(|(n, c)| (n.clone(), json!(c.effective))).collect::<serde_json::Map<_, _>>(),
        }));
    }
    Ok(Out {
        text,
        json: Value::Array(rows),
    })
}

fn moved(moves: &[Moved]) -> Out {
    let mut text = String::new();
    for m in moves {
        let from = m.from.map_or("nothing".into(), version_tag);
        match m.to {
            Some(t) => text.push_str(&format!(
                "{}: channel {} moved from {from} to {} ({})\n",
                m.bucket,
                m.channel,
                version_tag(t),
                m.cause
            )),
            None => text.push_str(&format!(
                "{}: channel {} moved off {from} and is now EMPTY: no earlier good version ({})\n",
                m.bucket, m.channel, m.cause
            )),
        }
    }
    Out {
        text,
        json: serde_json::to_value(moves).unwrap_or(Value::Null),
    }
}
