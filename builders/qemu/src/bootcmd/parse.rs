//! The boot command grammar, a hand-written copy of Packer 1.6.6's PEG
//! (`common/bootcommand/boot_command.pigeon`):
//!
//! ```text
//! Expr       <- (Wait / CharToggle / Special / Literal)+
//! Wait       <- "<" "wait" (Duration / Integer)? ">"
//! CharToggle <- "<" Literal (On / Off) ">"
//! Special    <- "<" SpecialKey (On / Off)? ">"
//! Number     <- "-"? Integer ("." Digit+)?
//! Integer    <- "0" / NonZeroDigit Digit*
//! Duration   <- (Number TimeUnit)+
//! Literal    <- .
//! ```
//!
//! Like pigeon, actions run as soon as their rule matches, even inside an
//! alternative that fails later, and their errors are collected (without
//! duplicates) and reported at the rule's position.

use super::keys;
use kiln_gocompat::GoDuration;
use std::time::Duration;

/// One step of a boot command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `<wait…>`.
    Wait(Duration),
    /// A key: pressed and released, held down (`On`) or released (`Off`).
    Key { key: Key, action: KeyAction },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character typed as itself (`a`, `A`, `<`, ` `).
    Char(char),
    /// A special key by its lower-case Packer name (`enter`, `leftctrl`).
    Special(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    Press,
    On,
    Off,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// An action of the grammar failed (a duration out of range).
    #[error("{line}:{col} ({offset}): rule {rule}: {message}")]
    Rule {
        line: usize,
        col: usize,
        offset: usize,
        rule: &'static str,
        message: String,
    },
    /// `<wait-1s>`, `<wait0s>`.
    #[error("Expecting a positive wait value. Got {0}")]
    NonPositiveWait(String),
    /// A character no key of a US keyboard types.
    #[error("{line}:{col} ({offset}): cannot type {ch:?}: no key of a US keyboard types it")]
    Untypable {
        line: usize,
        col: usize,
        offset: usize,
        ch: char,
    },
}

/// Special key names in the grammar's order (the first match wins, so a
/// name comes before its prefixes: `f10` before `f1`, `leftalt` before
/// `left`).
pub(super) const SPECIAL_KEYS: &[&str] = &[
    "bs",
    "del",
    "enter",
    "esc",
    "f10",
    "f11",
    "f12",
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "f6",
    "f7",
    "f8",
    "f9",
    "return",
    "tab",
    "up",
    "down",
    "spacebar",
    "insert",
    "home",
    "end",
    "pageup",
    "pagedown",
    "leftalt",
    "leftctrl",
    "leftshift",
    "rightalt",
    "rightctrl",
    "rightshift",
    "leftsuper",
    "rightsuper",
    "left",
    "right",
];

/// Time units in the grammar's order.
const TIME_UNITS: &[&str] = &["ns", "us", "µs", "ms", "s", "m", "h"];

/// Parse a whole (joined, interpolated) boot command. An empty command is
/// no actions, as in Packer. Parse errors come first; only a command that
/// parses is checked for waits that are not positive (as Packer does) and
/// for characters no key types.
pub fn parse(command: &str) -> Result<Vec<Action>, Vec<ParseError>> {
    let mut p = Parser {
        src: command,
        errors: Vec::new(),
    };
    let mut items = Vec::new();
    let mut pos = 0;
    while pos < command.len() {
        let (item, next) = p.expr(pos);
        items.push((pos, item));
        pos = next;
    }
    if !p.errors.is_empty() {
        return Err(p.errors);
    }
    let mut problems = Vec::new();
    let mut actions = Vec::with_capacity(items.len());
    for (offset, item) in items {
        match item {
            Item::Wait(nanos) => match u64::try_from(nanos) {
                Ok(n) if n > 0 => actions.push(Action::Wait(Duration::from_nanos(n))),
                _ => problems.push(ParseError::NonPositiveWait(
                    GoDuration::from_nanos(nanos).to_string(),
                )),
            },
            Item::Key { key, action } => {
                if let Key::Char(ch) = key {
                    if keys::stroke(key).is_none() {
                        let (line, col) = line_col(command, offset);
                        problems.push(ParseError::Untypable {
                            line,
                            col,
                            offset,
                            ch,
                        });
                    }
                }
                actions.push(Action::Key { key, action });
            }
        }
    }
    if problems.is_empty() {
        Ok(actions)
    } else {
        Err(problems)
    }
}

/// A wait as Go holds it: signed nanoseconds.
type GoNanos = i64;

/// An `Expr` item before the checks: waits are Go's signed nanoseconds.
enum Item {
    Wait(GoNanos),
    Key { key: Key, action: KeyAction },
}

struct Parser<'a> {
    src: &'a str,
    errors: Vec<ParseError>,
}

/// The result of the Wait rule's optional duration.
enum WaitArg {
    None,
    /// `Integer`'s `'0'` branch, which has no action: Packer's `Wait`
    /// falls back to one second for it.
    Zero,
    Int(i64),
    Duration(GoNanos),
}

impl Parser<'_> {
    /// One `Expr` item at `pos` (never fails: `Literal` takes any char).
    fn expr(&mut self, pos: usize) -> (Item, usize) {
        if let Some(r) = self.wait(pos) {
            return r;
        }
        if let Some(r) = self.char_toggle(pos) {
            return r;
        }
        if let Some(r) = self.special(pos) {
            return r;
        }
        let (ch, next) = self.literal(pos).unwrap_or(('\u{fffd}', self.src.len()));
        (
            Item::Key {
                key: Key::Char(ch),
                action: KeyAction::Press,
            },
            next,
        )
    }

    fn rest(&self, pos: usize) -> &str {
        self.src.get(pos..).unwrap_or("")
    }

    fn lit(&self, pos: usize, s: &str) -> Option<usize> {
        self.rest(pos).starts_with(s).then_some(pos + s.len())
    }

    fn lit_ignore_case(&self, pos: usize, s: &str) -> Option<usize> {
        let head = self.rest(pos).get(..s.len())?;
        head.eq_ignore_ascii_case(s).then_some(pos + s.len())
    }

    fn literal(&self, pos: usize) -> Option<(char, usize)> {
        let c = self.rest(pos).chars().next()?;
        Some((c, pos + c.len_utf8()))
    }

    fn wait(&mut self, pos: usize) -> Option<(Item, usize)> {
        let pos = self.lit(pos, "<")?;
        let pos = self.lit(pos, "wait")?;
        let (arg, pos) = match self.duration(pos) {
            Some((nanos, next)) => (WaitArg::Duration(nanos), next),
            None => match self.integer(pos) {
                Some((Some(n), next)) => (WaitArg::Int(n), next),
                Some((None, next)) => (WaitArg::Zero, next),
                None => (WaitArg::None, pos),
            },
        };
        let pos = self.lit(pos, ">")?;
        let nanos: GoNanos = match arg {
            WaitArg::None | WaitArg::Zero => 1_000_000_000,
            // Go multiplies an int64 by time.Second without a check.
            WaitArg::Int(n) => n.wrapping_mul(1_000_000_000),
            WaitArg::Duration(d) => d,
        };
        Some((Item::Wait(nanos), pos))
    }

    fn char_toggle(&mut self, pos: usize) -> Option<(Item, usize)> {
        let pos = self.lit(pos, "<")?;
        let (ch, pos) = self.literal(pos)?;
        let (action, pos) = self.on_off(pos)?;
        let pos = self.lit(pos, ">")?;
        Some((
            Item::Key {
                key: Key::Char(ch),
                action,
            },
            pos,
        ))
    }

    fn special(&mut self, pos: usize) -> Option<(Item, usize)> {
        let pos = self.lit(pos, "<")?;
        let (name, pos) = SPECIAL_KEYS
            .iter()
            .find_map(|k| self.lit_ignore_case(pos, k).map(|p| (*k, p)))?;
        let (action, pos) = self.on_off(pos).unwrap_or((KeyAction::Press, pos));
        let pos = self.lit(pos, ">")?;
        Some((
            Item::Key {
                key: Key::Special(name),
                action,
            },
            pos,
        ))
    }

    fn on_off(&self, pos: usize) -> Option<(KeyAction, usize)> {
        if let Some(p) = self.lit_ignore_case(pos, "on") {
            return Some((KeyAction::On, p));
        }
        self.lit_ignore_case(pos, "off")
            .map(|p| (KeyAction::Off, p))
    }

    /// `Integer`: `Some(None)` for the `'0'` branch, which has no value.
    fn integer(&mut self, pos: usize) -> Option<(Option<i64>, usize)> {
        let rest = self.rest(pos);
        let first = rest.as_bytes().first()?;
        if *first == b'0' {
            return Some((None, pos + 1));
        }
        if !(b'1'..=b'9').contains(first) {
            return None;
        }
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let text = rest.get(..len)?;
        let value = match text.parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                self.error(
                    pos,
                    "Integer",
                    format!("strconv.ParseInt: parsing {text:?}: value out of range"),
                );
                0
            }
        };
        Some((Some(value), pos + len))
    }

    /// `Number`'s end.
    fn number(&mut self, pos: usize) -> Option<usize> {
        let start = self.lit(pos, "-").unwrap_or(pos);
        let (_, mut end) = self.integer(start)?;
        if let Some(after_dot) = self.lit(end, ".") {
            let digits = self
                .rest(after_dot)
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            if digits > 0 {
                end = after_dot + digits;
            }
        }
        Some(end)
    }

    /// `Duration`: Go's `time.ParseDuration` of the matched text.
    fn duration(&mut self, pos: usize) -> Option<(GoNanos, usize)> {
        let mut end = None;
        let mut at = pos;
        while let Some(after_number) = self.number(at) {
            let Some(after_unit) = TIME_UNITS.iter().find_map(|u| self.lit(after_number, u)) else {
                break;
            };
            at = after_unit;
            end = Some(at);
        }
        let end = end?;
        let text = self.src.get(pos..end)?;
        match GoDuration::parse(text).map(GoDuration::nanos) {
            Ok(nanos) => Some((nanos, end)),
            Err(e) => {
                self.error(pos, "Duration", e.to_string());
                Some((0, end))
            }
        }
    }

    fn error(&mut self, offset: usize, rule: &'static str, message: String) {
        let (line, col) = line_col(self.src, offset);
        let e = ParseError::Rule {
            line,
            col,
            offset,
            rule,
            message,
        };
        if !self.errors.contains(&e) {
            self.errors.push(e);
        }
    }
}

/// Pigeon's position: 1-based line and column (in characters).
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(c: char) -> Action {
        Action::Key {
            key: Key::Char(c),
            action: KeyAction::Press,
        }
    }

    fn special(name: &'static str, action: KeyAction) -> Action {
        Action::Key {
            key: Key::Special(name),
            action,
        }
    }

    fn wait(ms: u64) -> Action {
        Action::Wait(Duration::from_millis(ms))
    }

    fn text(s: &str) -> Vec<Action> {
        s.chars().map(press).collect()
    }

    fn errors(cmd: &str) -> Vec<String> {
        parse(cmd)
            .expect_err("an error")
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn literals_and_special_keys() {
        assert_eq!(parse("").unwrap(), vec![]);
        let mut want = text("aB");
        want.push(special("enter", KeyAction::Press));
        want.push(special("return", KeyAction::Press));
        want.push(special("esc", KeyAction::Press));
        want.push(special("f10", KeyAction::Press));
        want.push(special("f1", KeyAction::Press));
        want.push(special("pageup", KeyAction::Press));
        want.push(special("left", KeyAction::Press));
        want.push(special("leftsuper", KeyAction::Press));
        assert_eq!(
            parse("aB<enter><RETURN><Esc><f10><F1><pageUp><left><leftSuper>").unwrap(),
            want
        );
    }

    #[test]
    fn toggles_of_special_keys_and_characters() {
        // What Packer 1.6.6 logs for `<leftCtrlOn>x<leftCtrlOff><fOn><fOff>`.
        assert_eq!(
            parse("<leftCtrlOn>x<leftCtrlOff><fOn><fOFF><leftAltON>").unwrap(),
            vec![
                special("leftctrl", KeyAction::On),
                press('x'),
                special("leftctrl", KeyAction::Off),
                Action::Key {
                    key: Key::Char('f'),
                    action: KeyAction::On
                },
                Action::Key {
                    key: Key::Char('f'),
                    action: KeyAction::Off
                },
                special("leftalt", KeyAction::On),
            ]
        );
        // Any single character toggles, `>` included.
        assert_eq!(
            parse("<>on>").unwrap(),
            vec![Action::Key {
                key: Key::Char('>'),
                action: KeyAction::On
            }]
        );
    }

    #[test]
    fn waits() {
        assert_eq!(parse("<wait>").unwrap(), vec![wait(1000)]);
        assert_eq!(parse("<wait5>").unwrap(), vec![wait(5000)]);
        assert_eq!(parse("<wait10>").unwrap(), vec![wait(10_000)]);
        assert_eq!(parse("<wait1m30s>").unwrap(), vec![wait(90_000)]);
        assert_eq!(parse("<wait1.5s>").unwrap(), vec![wait(1500)]);
        assert_eq!(parse("<wait300ms>").unwrap(), vec![wait(300)]);
        assert_eq!(parse("<wait2h45m>").unwrap(), vec![wait(9_900_000)]);
        // Integer's "0" branch has no value: Packer waits one second.
        assert_eq!(parse("<wait0>").unwrap(), vec![wait(1000)]);
    }

    #[test]
    fn what_is_not_an_expression_is_typed() {
        // Packer 1.6.6 types these character by character: `menu` and
        // `reboot` are not keys yet, `wait` is case-sensitive, `00` is no
        // Integer, and an unknown unit is no Duration.
        for s in [
            "<menu>",
            "<reboot>",
            "<WAIT>",
            "<wait00>",
            "<waitx>",
            "<wait1.5.5s>",
            "<wait5",
            "<f1x>",
            "<",
            "<>",
            "<<",
        ] {
            assert_eq!(parse(s).unwrap(), text(s), "{s}");
        }
        let mut want = text("a<");
        want.push(wait(1000));
        assert_eq!(parse("a<<wait>").unwrap(), want);
    }

    #[test]
    fn errors_as_packer_reports_them() {
        assert_eq!(
            errors("<wait99999999999h>"),
            [r#"1:6 (5): rule Duration: time: invalid duration "99999999999h""#]
        );
        assert_eq!(
            errors("ab<wait99999999999999999999>"),
            [
                r#"1:8 (7): rule Integer: strconv.ParseInt: parsing "99999999999999999999": value out of range"#
            ]
        );
        assert_eq!(
            errors("x<wait-1s><wait-2m>"),
            [
                "Expecting a positive wait value. Got -1s",
                "Expecting a positive wait value. Got -2m0s"
            ]
        );
        assert_eq!(
            errors("<wait-0s>"),
            ["Expecting a positive wait value. Got 0s"]
        );
        // Lines and columns count characters; offsets count bytes.
        assert_eq!(
            errors("é\nab<wait99999999999h>"),
            [r#"2:8 (10): rule Duration: time: invalid duration "99999999999h""#,]
        );
        // An action error inside an alternative that fails still counts.
        assert_eq!(
            errors("<wait1s99999999999999999999>"),
            [
                r#"1:8 (7): rule Integer: strconv.ParseInt: parsing "99999999999999999999": value out of range"#
            ]
        );
    }

    #[test]
    fn characters_no_key_types_are_refused_with_their_position() {
        assert_eq!(
            errors("ab\ncé"),
            ["2:2 (4): cannot type 'é': no key of a US keyboard types it"]
        );
    }
}
