//! Keys → QEMU key codes (QAPI `QKeyCode` names), for a US keyboard.
//!
//! Packer's VNC typing sends X keysyms and lets qemu's `en-us` keymap pick
//! the scancodes; kiln sends the same keys' codes directly.

use super::parse::Key;

/// One key to press, with or without shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyStroke {
    pub qcode: &'static str,
    pub shift: bool,
}

const fn plain(qcode: &'static str) -> KeyStroke {
    KeyStroke {
        qcode,
        shift: false,
    }
}

const fn shifted(qcode: &'static str) -> KeyStroke {
    KeyStroke { qcode, shift: true }
}

/// The key that types `key`; `None` for a character no US key types.
pub fn stroke(key: Key) -> Option<KeyStroke> {
    match key {
        Key::Char(c) => for_char(c),
        Key::Special(name) => special(name).map(plain),
    }
}

/// Packer's special key names (lower case) → QKeyCode.
fn special(name: &str) -> Option<&'static str> {
    Some(match name {
        "bs" => "backspace",
        "del" => "delete",
        "enter" | "return" => "ret",
        "esc" => "esc",
        "f1" => "f1",
        "f2" => "f2",
        "f3" => "f3",
        "f4" => "f4",
        "f5" => "f5",
        "f6" => "f6",
        "f7" => "f7",
        "f8" => "f8",
        "f9" => "f9",
        "f10" => "f10",
        "f11" => "f11",
        "f12" => "f12",
        "tab" => "tab",
        "up" => "up",
        "down" => "down",
        "left" => "left",
        "right" => "right",
        "spacebar" => "spc",
        "insert" => "insert",
        "home" => "home",
        "end" => "end",
        "pageup" => "pgup",
        "pagedown" => "pgdn",
        "leftalt" => "alt",
        "leftctrl" => "ctrl",
        "leftshift" => "shift",
        "rightalt" => "alt_r",
        "rightctrl" => "ctrl_r",
        "rightshift" => "shift_r",
        "leftsuper" => "meta_l",
        "rightsuper" => "meta_r",
        _ => return None,
    })
}

/// A character on a US keyboard.
pub(super) fn for_char(c: char) -> Option<KeyStroke> {
    const LETTERS: [&str; 26] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z",
    ];
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    if c.is_ascii_lowercase() {
        return LETTERS.get(usize::from(c as u8 - b'a')).copied().map(plain);
    }
    if c.is_ascii_uppercase() {
        return LETTERS
            .get(usize::from(c as u8 - b'A'))
            .copied()
            .map(shifted);
    }
    if c.is_ascii_digit() {
        return DIGITS.get(usize::from(c as u8 - b'0')).copied().map(plain);
    }
    Some(match c {
        ' ' => plain("spc"),
        // A line break inside a boot_command string means Enter.
        '\n' | '\r' => plain("ret"),
        '\t' => plain("tab"),
        '-' => plain("minus"),
        '=' => plain("equal"),
        '[' => plain("bracket_left"),
        ']' => plain("bracket_right"),
        '\\' => plain("backslash"),
        ';' => plain("semicolon"),
        '\'' => plain("apostrophe"),
        '`' => plain("grave_accent"),
        ',' => plain("comma"),
        '.' => plain("dot"),
        '/' => plain("slash"),
        '!' => shifted("1"),
        '@' => shifted("2"),
        '#' => shifted("3"),
        '$' => shifted("4"),
        '%' => shifted("5"),
        '^' => shifted("6"),
        '&' => shifted("7"),
        '*' => shifted("8"),
        '(' => shifted("9"),
        ')' => shifted("0"),
        '_' => shifted("minus"),
        '+' => shifted("equal"),
        '{' => shifted("bracket_left"),
        '}' => shifted("bracket_right"),
        '|' => shifted("backslash"),
        ':' => shifted("semicolon"),
        '"' => shifted("apostrophe"),
        '~' => shifted("grave_accent"),
        '<' => shifted("comma"),
        '>' => shifted("dot"),
        '?' => shifted("slash"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printable_ascii_character_has_a_key() {
        for c in ' '..='~' {
            assert!(for_char(c).is_some(), "{c:?}");
        }
        assert_eq!(for_char('é'), None);
        assert_eq!(for_char('\u{7}'), None);
    }

    #[test]
    fn shift_follows_the_us_layout() {
        // Packer's VNC driver shifts upper case and `~!@#$%^&*()_+{}|:"<>?`.
        for c in "ABZ~!@#$%^&*()_+{}|:\"<>?".chars() {
            assert!(for_char(c).unwrap().shift, "{c:?}");
        }
        for c in "abz0189`-=[]\\;',./ ".chars() {
            assert!(!for_char(c).unwrap().shift, "{c:?}");
        }
        assert_eq!(for_char('Q'), Some(shifted("q")));
        assert_eq!(for_char('>'), Some(shifted("dot")));
    }

    #[test]
    fn every_special_key_of_the_grammar_has_a_code() {
        for name in super::super::parse::SPECIAL_KEYS {
            assert!(special(name).is_some(), "{name}");
        }
        assert_eq!(special("enter"), special("return"));
    }
}
