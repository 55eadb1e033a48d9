//! A legacy Go-template string as an HCL template, for `hcl2_upgrade`:
//! Packer's functions become the HCL expressions that mean the same
//! (`{{ user `x` }}` → `${var.x}`, `{{ timestamp }}` → `${local.timestamp}`,
//! `{{ build_name }}` → `${source.name}`…). An action with no HCL
//! equivalent (one reading a component's data, such as `{{ .HTTPIP }}`,
//! or a pipeline) is kept as it is written: components still render Go
//! templates in the fields Packer renders them in.

use super::lex::{self, Item};
use super::parse::{self, Command, Operand, Pipeline};
use crate::value::display::write_quoted;
use crate::value::{format_number, Value};

/// How references are written in HCL: `{{ user `NAME` }}` as `var.NAME`
/// (or `local.NAME` for variables that refer to other variables), and
/// `{{ env `NAME` }}` as `env("NAME")` where HCL allows it (a variable's
/// default) or a reference to a variable holding it elsewhere.
pub struct Refs<'a> {
    pub user: &'a dyn Fn(&str) -> String,
    pub env: &'a dyn Fn(&str) -> String,
}

/// What the translation needed besides the text.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// `local.timestamp` (Packer's upgrade defines it the same way).
    pub timestamp: bool,
}

/// The content of an HCL quoted template (without the quotes) meaning
/// what `template` means. A template that does not parse is kept as text.
pub fn to_hcl_template(template: &str, user: &Refs<'_>, needs: &mut Needs) -> String {
    let Ok(items) = lex::lex(template) else {
        return escape(template);
    };
    let mut out = String::new();
    for item in items {
        match item {
            Item::Text(t) => out.push_str(&escape(&t)),
            Item::Action {
                offset,
                end,
                tokens,
            } => {
                let verbatim = template.get(offset..end).unwrap_or_default();
                let expr = parse::parse(&tokens, offset)
                    .ok()
                    .and_then(|p| pipeline(&p, user, needs));
                match expr {
                    Some(e) => {
                        out.push_str("${");
                        out.push_str(&e);
                        out.push('}');
                    }
                    None => out.push_str(&escape(verbatim)),
                }
            }
        }
    }
    out
}

/// Escape text for the inside of an HCL quoted template.
fn escape(text: &str) -> String {
    let mut q = String::new();
    write_quoted(&mut q, text);
    q.get(1..q.len().saturating_sub(1))
        .unwrap_or_default()
        .to_owned()
}

fn pipeline(p: &Pipeline, user: &Refs<'_>, needs: &mut Needs) -> Option<String> {
    match p.cmds.as_slice() {
        [cmd] => command(cmd, user, needs),
        _ => None,
    }
}

fn command(cmd: &Command, user: &Refs<'_>, needs: &mut Needs) -> Option<String> {
    let (first, rest) = cmd.args.split_first()?;
    let Operand::Func { name, .. } = first else {
        return if rest.is_empty() {
            operand(first, user, needs)
        } else {
            None
        };
    };
    let args: Vec<String> = rest
        .iter()
        .map(|a| operand(a, user, needs))
        .collect::<Option<_>>()?;
    let literal = |i: usize| match rest.get(i) {
        Some(Operand::Literal(Value::String(s))) => Some(s.clone()),
        _ => None,
    };
    let expr = match (name.as_str(), args.as_slice()) {
        ("user", [_]) => (user.user)(&literal(0)?),
        ("env", [_]) => (user.env)(&literal(0)?),
        ("timestamp", []) => {
            needs.timestamp = true;
            "local.timestamp".to_owned()
        }
        ("uuid", []) => "uuidv4()".to_owned(),
        ("isotime", []) => "timestamp()".to_owned(),
        ("isotime", [f]) => format!("legacy_isotime({f})"),
        ("strftime", [f]) => format!("legacy_strftime({f})"),
        ("template_dir", []) => "path.root".to_owned(),
        ("pwd", []) => "path.cwd".to_owned(),
        ("packer_version", []) => "packer.version".to_owned(),
        ("build_name", []) => "source.name".to_owned(),
        ("build_type", []) => "source.type".to_owned(),
        ("build", [_]) => format!("build.{}", literal(0)?),
        ("upper", [a]) => format!("upper({a})"),
        ("lower", [a]) => format!("lower({a})"),
        // split(s, sep, i) → HCL's split(sep, s)[i]
        ("split", [s, sep, i]) => format!("split({sep}, {s})[{i}]"),
        // replace_all(old, new, s): a literal replacement, not HCL's
        // regex-when-slashed one, so the old text is written as a
        // literal that cannot look like /regex/.
        ("replace_all", [old, new, s]) if !literal(0)?.starts_with('/') => {
            format!("replace({s}, {old}, {new})")
        }
        ("clean_resource_name", [a]) => format!("clean_resource_name({a})"),
        _ => return None,
    };
    Some(expr)
}

fn operand(o: &Operand, user: &Refs<'_>, needs: &mut Needs) -> Option<String> {
    match o {
        Operand::Literal(Value::String(s)) => {
            let mut q = String::new();
            write_quoted(&mut q, s);
            Some(q)
        }
        Operand::Literal(Value::Number(n)) => Some(format_number(*n)),
        Operand::Literal(Value::Bool(b)) => Some(b.to_string()),
        Operand::Sub(p) => pipeline(p, user, needs),
        Operand::Func { .. } => command(
            &Command {
                args: vec![o.clone()],
                offset: 0,
            },
            user,
            needs,
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hcl(s: &str) -> String {
        let refs = Refs {
            user: &|n| format!("var.{n}"),
            env: &|n| format!("env({n:?})"),
        };
        to_hcl_template(s, &refs, &mut Needs::default())
    }

    #[test]
    fn functions_become_expressions() {
        assert_eq!(hcl("a-{{ user `x` }}"), "a-${var.x}");
        assert_eq!(hcl("{{timestamp}}"), "${local.timestamp}");
        assert_eq!(hcl("{{ upper (user `x`) }}"), "${upper(var.x)}");
        assert_eq!(
            hcl("{{ split (user `x`) \",\" 1 }}"),
            "${split(\",\", var.x)[1]}"
        );
        assert_eq!(hcl("{{ build_name }}"), "${source.name}");
        assert_eq!(hcl("{{ env `HOME` }}"), "${env(\"HOME\")}");
    }

    #[test]
    fn component_data_and_literal_dollars_stay() {
        assert_eq!(
            hcl("{{ .HTTPIP }}:{{ .HTTPPort }}"),
            "{{ .HTTPIP }}:{{ .HTTPPort }}"
        );
        assert_eq!(hcl("${HOME} \"q\""), "$${HOME} \\\"q\\\"");
        assert_eq!(hcl("{{ .X | upper }}"), "{{ .X | upper }}");
    }
}
