//! `kiln cache list | prune | clear`: the step cache (`KILN_CACHE_DIR`,
//! default `~/.cache/kiln/steps`, at most `KILN_CACHE_MAX`).

use super::flags::{self, flag, Flag, Kind};
use kiln_step_cache::dir::parse_size;
use kiln_step_cache::DirStore;
use serde_json::json;

pub const HELP: &str = "Usage: kiln cache <subcommand> [options]

  The step cache: snapshots of build steps that later builds resume from.
  Its directory is KILN_CACHE_DIR (default ~/.cache/kiln/steps); it holds
  at most KILN_CACHE_MAX (default 50GB), least recently used first out.

Subcommands:
  list [-json]               entries, most recently used first
  prune [-max SIZE] [-json]  remove expired entries, then the least recently
                             used until at most SIZE (default KILN_CACHE_MAX)
  clear [-json]              remove every entry
  export -o FILE KEY         one entry (KEY or a unique prefix of it, as list
                             shows) and every step before it, as a tarball
  import FILE                add the entries of an export (FILE - is stdin)
";

const SPEC: &[Flag] = &[
    flag("json", Kind::Bool),
    flag("max", Kind::Value),
    flag("o", Kind::Value),
];

fn size(bytes: u64) -> String {
    kiln_core::size::human_bytes(bytes)
}

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let Some((sub, rest)) = args.split_first() else {
        eprint!("{HELP}");
        return Ok(1);
    };
    if matches!(sub.as_str(), "-h" | "-help" | "--help" | "help") {
        print!("{HELP}");
        return Ok(0);
    }
    let p = match flags::parse(rest, SPEC) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    let takes_one = matches!(sub.as_str(), "export" | "import");
    if takes_one != (p.args.len() == 1) || p.args.len() > 1 {
        let want = if takes_one {
            "one argument"
        } else {
            "no arguments"
        };
        return super::usage_error(&format!("cache {sub} takes {want}"), HELP);
    }
    let mut store = match DirStore::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return Ok(1);
        }
    };
    let as_json = p.bool("json");
    match sub.as_str() {
        "list" => {
            let all = store.list();
            if as_json {
                let items: Vec<_> = all
                    .iter()
                    .map(|(e, used)| {
                        json!({
                            "key": e.meta.key.key,
                            "parent": e.meta.key.parent,
                            "step": e.meta.key.step,
                            "builder": e.meta.builder,
                            "size": e.meta.size,
                            "created": e.meta.created,
                            "last_used": used,
                            "expires": e.meta.expires,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&items)?);
                return Ok(0);
            }
            let total: u64 = all.iter().map(|(e, _)| e.meta.size).sum();
            for (e, _) in &all {
                println!(
                    "{}  {:<6} {:>10}  {}",
                    e.meta.key.short(),
                    e.meta.builder,
                    size(e.meta.size),
                    e.meta.key.step
                );
            }
            println!(
                "{} entries, {} in {}",
                all.len(),
                size(total),
                store.root().display()
            );
            Ok(0)
        }
        "prune" => {
            let max = match p.values("max").last() {
                None => None,
                Some(v) => match parse_size(v) {
                    Some(n) => Some(n),
                    None => {
                        return super::usage_error(
                            &format!("invalid value {v:?} for flag -max: say 10GB, 500MB or bytes"),
                            HELP,
                        )
                    }
                },
            };
            let removed = match max {
                Some(m) => store.shrink_to(m, None),
                None => store.evict(None),
            };
            let freed: u64 = removed.iter().map(|m| m.size).sum();
            if as_json {
                println!("{}", json!({"removed": removed.len(), "freed": freed}));
            } else {
                println!("Removed {} entries, {} freed", removed.len(), size(freed));
            }
            Ok(0)
        }
        "clear" => {
            let n = match store.clear() {
                Ok(n) => n,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(1);
                }
            };
            if as_json {
                println!("{}", json!({"removed": n}));
            } else {
                println!("Removed {n} entries");
            }
            Ok(0)
        }
        "export" => {
            let Some(out) = p.values("o").last() else {
                return super::usage_error("cache export needs -o FILE", HELP);
            };
            // Written beside the target and renamed: no half tarball.
            let out = std::path::Path::new(out);
            let dir = out
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
            let n = match store.export(&p.args[0], &mut tmp) {
                Ok(n) => n,
                Err(e) => {
                    eprintln!("{e}");
                    return Ok(1);
                }
            };
            tmp.as_file().sync_all()?;
            tmp.persist(out)?;
            println!("Exported {n} entries to {}", out.display());
            Ok(0)
        }
        "import" => {
            let arg = &p.args[0];
            let r = if arg == "-" {
                store.import(std::io::stdin().lock())
            } else {
                match std::fs::File::open(arg) {
                    Ok(f) => store.import(std::io::BufReader::new(f)),
                    Err(e) => {
                        eprintln!("cannot open {arg}: {e}");
                        return Ok(1);
                    }
                }
            };
            match r {
                Ok(n) => {
                    println!("Imported {n} entries");
                    Ok(0)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(1)
                }
            }
        }
        other => super::usage_error(&format!("unknown cache subcommand {other:?}"), HELP),
    }
}
