//! Command-line flags with Go's `flag` grammar, as Packer parses them:
//! `-name`, `--name`, `-name=value`, `-name value`, booleans as `-name` or
//! `-name=false`, and parsing stops at the first positional argument.
//! clap cannot express `-write=false` for a boolean or single-dash long
//! names without aliasing every flag, so this small parser does it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Value,
}

#[derive(Debug, Clone, Copy)]
pub struct Flag {
    pub name: &'static str,
    pub kind: Kind,
}

pub const fn flag(name: &'static str, kind: Kind) -> Flag {
    Flag { name, kind }
}

/// Parsed flags in command-line order, and the positional arguments.
#[derive(Debug, Default)]
pub struct Parsed {
    pub flags: Vec<(&'static str, String)>,
    pub args: Vec<String>,
}

impl Parsed {
    pub fn bool(&self, name: &str) -> bool {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .is_some_and(|(_, v)| v == "true")
    }

    /// A boolean that defaults to true (`-write=false` turns it off).
    pub fn bool_or(&self, name: &str, default: bool) -> bool {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map_or(default, |(_, v)| v == "true")
    }

    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub fn parse(args: &[String], spec: &[Flag]) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            out.args.extend(args[i + 1..].iter().cloned());
            break;
        }
        let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            out.args.extend(args[i..].iter().cloned());
            break;
        };
        if body.is_empty() {
            // A lone "-" is a positional (stdin).
            out.args.extend(args[i..].iter().cloned());
            break;
        }
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (body, None),
        };
        let Some(f) = spec.iter().find(|f| f.name == name) else {
            return Err(format!("flag provided but not defined: -{name}"));
        };
        let value = match (f.kind, inline) {
            (Kind::Bool, None) => "true".to_owned(),
            (Kind::Bool, Some(v)) => match v.as_str() {
                "true" | "1" | "t" | "T" | "TRUE" | "True" => "true".to_owned(),
                "false" | "0" | "f" | "F" | "FALSE" | "False" => "false".to_owned(),
                _ => return Err(format!("invalid boolean value {v:?} for -{name}")),
            },
            (Kind::Value, Some(v)) => v,
            (Kind::Value, None) => {
                i += 1;
                match args.get(i) {
                    Some(v) => v.clone(),
                    None => return Err(format!("flag needs an argument: -{name}")),
                }
            }
        };
        out.flags.push((f.name, value));
        i += 1;
    }
    Ok(out)
}

/// Flags before and after the positional arguments, for kiln's own
/// commands written in cosign's order (`kiln verify IMAGE -key k.pub`):
/// positionals are parsed out wherever they are, after `--` all are.
pub fn parse_interspersed(args: &[String], spec: &[Flag]) -> Result<Parsed, String> {
    let mut flags_first = Vec::new();
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "--" {
            positional.extend(args[i + 1..].iter().cloned());
            break;
        }
        let body = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
        match body {
            Some(b) if !b.is_empty() => {
                flags_first.push(arg.clone());
                let takes_next =
                    !b.contains('=') && spec.iter().any(|f| f.name == b && f.kind == Kind::Value);
                if takes_next {
                    if let Some(v) = args.get(i + 1) {
                        flags_first.push(v.clone());
                        i += 1;
                    }
                }
            }
            _ => positional.push(arg.clone()),
        }
        i += 1;
    }
    let mut p = parse(&flags_first, spec)?;
    p.args = positional;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interspersed_flags_come_after_the_arguments_too() {
        let spec = [flag("key", Kind::Value), flag("json", Kind::Bool)];
        let p = parse_interspersed(&args(&["disk.qcow2", "-key", "k.pub", "-json"]), &spec)
            .expect("parses");
        assert_eq!(p.args, ["disk.qcow2"]);
        assert_eq!(p.values("key").collect::<Vec<_>>(), ["k.pub"]);
        assert!(p.bool("json"));
        let p = parse_interspersed(&args(&["-key=k", "--", "-odd"]), &spec).expect("parses");
        assert_eq!(p.args, ["-odd"]);
        assert!(parse_interspersed(&args(&["x", "-nope"]), &spec).is_err());
    }

    const SPEC: [Flag; 3] = [
        flag("var", Kind::Value),
        flag("write", Kind::Bool),
        flag("check", Kind::Bool),
    ];

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn go_flag_grammar() {
        let p = parse(
            &args(&[
                "-var",
                "a=1",
                "--var=b=2",
                "-write=false",
                "-check",
                "dir",
                "-x",
            ]),
            &SPEC,
        )
        .expect("parses");
        assert_eq!(p.values("var").collect::<Vec<_>>(), ["a=1", "b=2"]);
        assert!(!p.bool_or("write", true));
        assert!(p.bool("check"));
        assert_eq!(p.args, ["dir", "-x"]);
    }

    #[test]
    fn unknown_flag_and_missing_value() {
        assert!(parse(&args(&["-nope"]), &SPEC).is_err());
        assert!(parse(&args(&["-var"]), &SPEC).is_err());
        assert_eq!(parse(&args(&["-"]), &SPEC).expect("parses").args, ["-"]);
    }
}
