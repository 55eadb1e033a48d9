//! The read-only catalog commands: `list BUCKET`, `show`, `history`,
//! `ancestry`.

use super::{Failure, Out};
use kiln_catalog::catalog::Catalog;
use kiln_catalog::model::{EventKind, VersionRecord};
use kiln_catalog::names::{parse_version, version_tag};
use kiln_catalog::state::BucketState;
use serde_json::{json, Value};

fn status(s: &BucketState, v: u64) -> String {
    match s.revocation(v) {
        Some(r) if r.pending => format!("revocation scheduled at {}", r.effective_at),
        Some(r) => format!("REVOKED: {}", r.reason),
        None => "active".into(),
    }
}

pub fn list_versions(cat: &Catalog, bucket: &str) -> Result<Out, Failure> {
    let s = cat.state(bucket)?;
    let mut text = String::new();
    let mut rows = Vec::new();
    for (n, r) in s.versions.iter().rev() {
        let channels = s
            .channels
            .iter()
            .filter(|(_, c)| c.effective == Some(*n))
            .map(|(name, _)| name.clone())
            .collect::<Vec<_>>();
        text.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            version_tag(*n),
            r.created_at,
            r.fingerprint,
            status(&s, *n),
            channels.join(",")
        ));
        rows.push(json!({
            "version": version_tag(*n),
            "created_at": r.created_at,
            "fingerprint": r.fingerprint,
            "status": status(&s, *n),
            "channels": channels,
        }));
    }
    Ok(Out {
        text,
        json: json!({"bucket": s.bucket, "versions": rows}),
    })
}

/// `BUCKET`, `BUCKET:vN` or `BUCKET:CHANNEL`.
fn version_of(cat: &Catalog, reference: &str) -> Result<(BucketState, u64), Failure> {
    let (bucket, sel) = match reference.split_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (reference, None),
    };
    let s = cat.state(bucket)?;
    let v = match sel {
        None => s.latest().ok_or_else(|| {
            Failure::Catalog(kiln_catalog::CatalogError::UnknownVersion {
                bucket: s.bucket.clone(),
                version: "(it has none)".into(),
            })
        })?,
        Some(x) if parse_version(x).is_ok() => parse_version(x).map_err(Failure::Catalog)?,
        Some(channel) => {
            let c = s.channels.get(channel).ok_or_else(|| {
                Failure::Catalog(kiln_catalog::CatalogError::UnknownChannel {
                    bucket: s.bucket.clone(),
                    channel: channel.to_owned(),
                })
            })?;
            c.effective.ok_or_else(|| {
                Failure::Catalog(kiln_catalog::CatalogError::EmptyChannel {
                    bucket: s.bucket.clone(),
                    channel: channel.to_owned(),
                    why: String::new(),
                })
            })?
        }
    };
    if !s.versions.contains_key(&v) {
        return Err(Failure::Catalog(
            kiln_catalog::CatalogError::UnknownVersion {
                bucket: s.bucket.clone(),
                version: version_tag(v),
            },
        ));
    }
    Ok((s, v))
}

pub fn show(cat: &Catalog, reference: &str) -> Result<Out, Failure> {
    let (s, v) = version_of(cat, reference)?;
    let Some(r) = s.versions.get(&v) else {
        return Err(Failure::Usage(format!("no version {v}")));
    };
    let events = cat.referrers(&s.bucket, v)?;
    let mut text = describe(r);
    text.push_str(&format!("status:      {}\n", status(&s, v)));
    let on = s.channels_on(v);
    if !on.is_empty() {
        text.push_str(&format!("channels:    {}\n", on.join(", ")));
    }
    if !events.is_empty() {
        text.push_str("events:\n");
        for e in &events {
            text.push_str(&format!(
                "  {} {} {}\n",
                e.at,
                e.who,
                event_line(&e.kind, &e.why)
            ));
        }
    }
    let mut j = serde_json::to_value(r).unwrap_or(Value::Null);
    j["status"] = json!(status(&s, v));
    j["channels"] = json!(on);
    j["events"] = serde_json::to_value(&events).unwrap_or(Value::Null);
    Ok(Out { text, json: j })
}

fn describe(r: &VersionRecord) -> String {
    let mut t = format!(
        "{}:{}\nid:          {}\nfingerprint: {} ({})\ncreated:     {} by {}\ntemplate:    {} {}\nkiln:        {}\n",
        r.bucket,
        version_tag(r.version),
        r.id,
        r.fingerprint,
        r.fingerprint_source,
        r.created_at,
        r.author,
        r.template_path,
        r.template_digest,
        r.kiln_version
    );
    if !r.description.is_empty() {
        t.push_str(&format!("description: {}\n", r.description.trim()));
    }
    for p in &r.parents {
        t.push_str(&format!("parent:      {p}\n"));
    }
    for b in &r.builds {
        t.push_str(&format!("build {} ({}):\n", b.name, b.platform));
        for a in &b.artifacts {
            t.push_str(&format!("  {} {}\n", a.region, a.id));
        }
        for f in &b.files {
            t.push_str(&format!(
                "  file {} {} ({} bytes)\n",
                f.name, f.sha256, f.size
            ));
        }
    }
    t
}

fn event_line(kind: &EventKind, why: &str) -> String {
    let why = if why.is_empty() {
        String::new()
    } else {
        format!(": {why}")
    };
    match kind {
        EventKind::Channel {
            channel,
            from,
            to,
            cause,
        } => format!(
            "{cause} {channel}: {} → {}{why}",
            from.map_or("-".into(), version_tag),
            to.map_or("(empty)".into(), version_tag)
        ),
        EventKind::Revoke {
            effective_at,
            through,
        } => format!(
            "revoke (effective {effective_at}){}{why}",
            through
                .as_ref()
                .map(|t| format!(" through {t}"))
                .unwrap_or_default()
        ),
        EventKind::Restore => format!("restore{why}"),
    }
}

pub fn history(cat: &Catalog, bucket: &str, channel: &str) -> Result<Out, Failure> {
    let s = cat.state(bucket)?;
    let c = s.channels.get(channel).ok_or_else(|| {
        Failure::Catalog(kiln_catalog::CatalogError::UnknownChannel {
            bucket: s.bucket.clone(),
            channel: channel.to_owned(),
        })
    })?;
    let mut text = String::new();
    for e in &c.history {
        text.push_str(&format!(
            "{} {} {}\n",
            e.at,
            e.who,
            event_line(&e.kind, &e.why)
        ));
    }
    if c.effective != c.target {
        text.push_str(&format!(
            "now on {} ({} was revoked since)\n",
            c.effective.map_or("nothing".into(), version_tag),
            c.target.map_or("-".into(), version_tag)
        ));
    }
    Ok(Out {
        text,
        json: json!({
            "bucket": s.bucket,
            "channel": channel,
            "current": c.effective,
            "events": c.history,
        }),
    })
}

pub fn ancestry(cat: &Catalog, reference: &str) -> Result<Out, Failure> {
    let (s, v) = version_of(cat, reference)?;
    let a = cat.ancestry(&s.bucket, v)?;
    let mut text = format!("{}\n", a.version);
    for n in &a.ancestors {
        let mark = match (&n.revoked, n.missing) {
            (_, true) => " (missing from the catalog)".to_owned(),
            (Some(r), _) => format!(" REVOKED: {r}"),
            _ => String::new(),
        };
        text.push_str(&format!("  built from {}{mark}\n", n.version));
    }
    for d in &a.descendants {
        text.push_str(&format!("  built into {d}\n"));
    }
    Ok(Out {
        text,
        json: serde_json::to_value(&a).unwrap_or(Value::Null),
    })
}
