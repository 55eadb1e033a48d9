//! Parsing an action's tokens into a pipeline: commands separated by `|`,
//! each a function call with arguments or a single operand, where an
//! operand may be a parenthesised pipeline.

use super::lex::{Token, TokenKind};
use super::LegacyError;
use crate::value::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pipeline {
    pub(crate) cmds: Vec<Command>,
    pub(crate) offset: usize,
}

/// A function call (first operand a `Func`) or a lone operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Command {
    pub(crate) args: Vec<Operand>,
    pub(crate) offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Func { name: String, offset: usize },
    Field { names: Vec<String>, offset: usize },
    Literal(Value),
    Sub(Pipeline),
}

impl Pipeline {
    /// Whether any command reads the data (`.Name` or `.`): such an action
    /// can only be rendered by the component that has the data.
    pub(crate) fn reads_data(&self) -> bool {
        self.cmds.iter().any(|c| {
            c.args.iter().any(|a| match a {
                Operand::Field { .. } => true,
                Operand::Sub(p) => p.reads_data(),
                Operand::Func { .. } | Operand::Literal(_) => false,
            })
        })
    }
}

/// A control action: `{{if P}}`, `{{else if P}}`, `{{else}}`, `{{end}}`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Control {
    If(Pipeline),
    ElseIf(Pipeline),
    Else,
    End,
}

/// The control action the tokens make, if they start with a keyword.
pub(crate) fn control(tokens: &[Token], offset: usize) -> Result<Option<Control>, LegacyError> {
    let Some((
        Token {
            kind: TokenKind::Keyword(word),
            ..
        },
        rest,
    )) = tokens.split_first()
    else {
        return Ok(None);
    };
    let condition = |rest: &[Token], what: &str| {
        if rest.is_empty() {
            Err(LegacyError::syntax(
                offset,
                format!("missing value for {what}"),
            ))
        } else {
            parse(rest, offset)
        }
    };
    let unexpected = |t: &Token, what: &str| {
        Err(LegacyError::syntax(
            t.offset,
            format!("unexpected token in {what}"),
        ))
    };
    match (*word, rest) {
        ("if", rest) => condition(rest, "if").map(|p| Some(Control::If(p))),
        ("else", []) => Ok(Some(Control::Else)),
        (
            "else",
            [Token {
                kind: TokenKind::Keyword("if"),
                ..
            }, rest @ ..],
        ) => condition(rest, "if").map(|p| Some(Control::ElseIf(p))),
        ("end", []) => Ok(Some(Control::End)),
        (w, [t, ..]) => unexpected(t, w),
        (_, []) => Ok(Some(Control::End)),
    }
}

/// Parse one action's tokens; `offset` is the action's, for errors.
pub(crate) fn parse(tokens: &[Token], offset: usize) -> Result<Pipeline, LegacyError> {
    let mut pos = 0;
    let p = pipeline(tokens, &mut pos, offset)?;
    match tokens.get(pos) {
        None => Ok(p),
        Some(t) => Err(LegacyError::syntax(t.offset, "unexpected \")\" in action")),
    }
}

fn pipeline(tokens: &[Token], pos: &mut usize, offset: usize) -> Result<Pipeline, LegacyError> {
    let mut cmds = Vec::new();
    loop {
        let start = tokens.get(*pos).map_or(offset, |t| t.offset);
        let cmd = command(tokens, pos, start)?;
        cmds.push(cmd);
        match tokens.get(*pos) {
            Some(Token {
                kind: TokenKind::Pipe,
                ..
            }) => *pos += 1,
            _ => return Ok(Pipeline { cmds, offset }),
        }
    }
}

fn command(tokens: &[Token], pos: &mut usize, offset: usize) -> Result<Command, LegacyError> {
    let mut args = Vec::new();
    while let Some(t) = tokens.get(*pos) {
        let operand = match &t.kind {
            TokenKind::Pipe | TokenKind::Close => break,
            TokenKind::Open => {
                *pos += 1;
                let inner = pipeline(tokens, pos, t.offset)?;
                match tokens.get(*pos) {
                    Some(Token {
                        kind: TokenKind::Close,
                        ..
                    }) => {}
                    _ => return Err(LegacyError::syntax(t.offset, "unclosed left paren")),
                }
                Operand::Sub(inner)
            }
            TokenKind::Field(names) => Operand::Field {
                names: names.clone(),
                offset: t.offset,
            },
            TokenKind::Ident(name) => Operand::Func {
                name: name.clone(),
                offset: t.offset,
            },
            TokenKind::Str(s) => Operand::Literal(Value::String(s.clone())),
            TokenKind::Number(n) => Operand::Literal(Value::Number(*n)),
            TokenKind::Bool(b) => Operand::Literal(Value::Bool(*b)),
            TokenKind::Nil => Operand::Literal(Value::Null),
            TokenKind::Keyword(w) => {
                return Err(LegacyError::syntax(
                    t.offset,
                    format!("unexpected <{w}> in command"),
                ))
            }
        };
        args.push(operand);
        *pos += 1;
    }
    if args.is_empty() {
        return Err(LegacyError::syntax(offset, "missing value for command"));
    }
    Ok(Command { args, offset })
}

impl Pipeline {
    /// Every function the pipeline calls, with its offset: text/template
    /// rejects unknown functions when it parses, before running anything.
    pub(crate) fn functions(&self, out: &mut Vec<(String, usize)>) {
        for cmd in &self.cmds {
            for arg in &cmd.args {
                match arg {
                    Operand::Func { name, offset } => out.push((name.clone(), *offset)),
                    Operand::Sub(p) => p.functions(out),
                    Operand::Field { .. } | Operand::Literal(_) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lex::{lex, Item};
    use super::*;

    fn parse_action(src: &str) -> Result<Pipeline, LegacyError> {
        match lex(src)?.into_iter().next() {
            Some(Item::Action { offset, tokens, .. }) => parse(&tokens, offset),
            _ => panic!("no action in {src}"),
        }
    }

    #[test]
    fn pipeline_of_calls() {
        let p = parse_action("{{ .X | split \",\" 0 | upper }}").expect("parses");
        assert_eq!(p.cmds.len(), 3);
        assert_eq!(p.cmds[1].args.len(), 3);
        assert!(
            matches!(&p.cmds[2].args[0], Operand::Func { name, offset: 22 } if name == "upper")
        );
    }

    #[test]
    fn parenthesised_arguments() {
        let p = parse_action("{{ upper (lower .X) }}").expect("parses");
        assert!(matches!(&p.cmds[0].args[1], Operand::Sub(inner) if inner.cmds[0].args.len() == 2));
        let mut fs = Vec::new();
        p.functions(&mut fs);
        assert_eq!(fs, [("upper".to_owned(), 3), ("lower".to_owned(), 10)]);
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(
            parse_action("{{ upper (lower .X }}"),
            Err(LegacyError::syntax(9, "unclosed left paren"))
        );
        assert_eq!(
            parse_action("{{ }}"),
            Err(LegacyError::syntax(0, "missing value for command"))
        );
        assert_eq!(
            parse_action("{{ .X | }}"),
            Err(LegacyError::syntax(0, "missing value for command"))
        );
    }
}
