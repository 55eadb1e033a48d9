//! `formatdate`'s format language: runs of a letter are verbs (`YYYY`,
//! `MMM`, `hh`…), single quotes quote literal text (`''` is a quote), and
//! everything else is copied.

use super::go_time::{month_name, weekday_name, GoTime};
use kiln_gocompat::quote::quote;
use std::fmt::Write;

/// Format `t` with `spec`, or say what is wrong with the spec.
pub(super) fn format(spec: &str, t: &GoTime) -> Result<String, String> {
    let b = spec.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len() + 8);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'\'' {
            i = literal(b, i, &mut out)?;
        } else if c.is_ascii_alphabetic() {
            let run = b
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|x| **x == c)
                .count();
            let verb = spec.get(i..i + run).unwrap_or_default();
            out.extend_from_slice(expand(verb, c, run, t)?.as_bytes());
            i += run;
        } else {
            let run = b
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|x| **x != b'\'' && !x.is_ascii_alphabetic())
                .count();
            out.extend_from_slice(b.get(i..i + run).unwrap_or_default());
            i += run;
        }
    }
    // Only ASCII positions were split on, so the bytes are still UTF-8.
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Copy the quoted literal starting at `start`; return where it ends.
fn literal(b: &[u8], start: usize, out: &mut Vec<u8>) -> Result<usize, String> {
    if b.get(start + 1) == Some(&b'\'') {
        out.push(b'\'');
        return Ok(start + 2);
    }
    let mut i = start + 1;
    loop {
        match b.get(i) {
            None => return Err("unterminated literal '".to_string()),
            Some(b'\'') if b.get(i + 1) == Some(&b'\'') => {
                out.push(b'\'');
                i += 2;
            }
            Some(b'\'') => return Ok(i + 1),
            Some(&c) => {
                out.push(c);
                i += 1;
            }
        }
    }
}

fn expand(verb: &str, letter: u8, len: usize, t: &GoTime) -> Result<String, String> {
    let dt = &t.dt;
    let invalid = |why: &str| format!("invalid date format verb {}: {why}", quote(verb));
    let num = |n: i64, width: usize| format!("{n:0width$}");
    let hour12 = match dt.hour() % 12 {
        0 => 12,
        h => h,
    };
    Ok(match (letter, len) {
        (b'Y', 2) => num(i64::from(dt.year()) % 100, 2),
        (b'Y', 4) => num(i64::from(dt.year()), 4),
        (b'Y', _) => return Err(invalid("year must either be \"YY\" or \"YYYY\"")),
        (b'M', 1) => num(i64::from(dt.month()), 0),
        (b'M', 2) => num(i64::from(dt.month()), 2),
        (b'M', 3) => month_name(dt.month()).get(..3).unwrap_or("").to_string(),
        (b'M', 4) => month_name(dt.month()).to_string(),
        (b'M', _) => return Err(invalid("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"")),
        (b'D', 1) => num(i64::from(dt.day()), 0),
        (b'D', 2) => num(i64::from(dt.day()), 2),
        (b'D', _) => return Err(invalid("day of month must either be \"D\" or \"DD\"")),
        (b'E', 3) => weekday_name(dt).get(..3).unwrap_or("").to_string(),
        (b'E', 4) => weekday_name(dt).to_string(),
        (b'E', _) => return Err(invalid("day of week must either be \"EEE\" or \"EEEE\"")),
        (b'h', 1) => num(i64::from(dt.hour()), 0),
        (b'h', 2) => num(i64::from(dt.hour()), 2),
        (b'h', _) => return Err(invalid("24-hour must either be \"h\" or \"hh\"")),
        (b'H', 1) => num(i64::from(hour12), 0),
        (b'H', 2) => num(i64::from(hour12), 2),
        (b'H', _) => return Err(invalid("12-hour must either be \"H\" or \"HH\"")),
        (b'A' | b'a', 2) => {
            let pm = dt.hour() >= 12;
            match (letter, pm) {
                (b'A', false) => "AM",
                (b'A', true) => "PM",
                (_, false) => "am",
                (_, true) => "pm",
            }
            .to_string()
        }
        (b'A' | b'a', _) => {
            let c = char::from(letter);
            return Err(invalid(&format!("must be \"{c}{c}\"")));
        }
        (b'm', 1) => num(i64::from(dt.minute()), 0),
        (b'm', 2) => num(i64::from(dt.minute()), 2),
        (b'm', _) => return Err(invalid("minute must either be \"m\" or \"mm\"")),
        (b's', 1) => num(i64::from(dt.second()), 0),
        (b's', 2) => num(i64::from(dt.second()), 2),
        (b's', _) => return Err(invalid("second must either be \"s\" or \"ss\"")),
        (b'Z', 1) => t.format("Z07:00"),
        (b'Z', 3) => {
            let numeric = t.format("-0700");
            if numeric == "+0000" {
                "UTC".to_string()
            } else {
                numeric
            }
        }
        (b'Z', 4) => t.format("-0700"),
        (b'Z', 5) => t.format("-07:00"),
        (b'Z', _) => return Err(invalid("timezone must be Z, ZZZZ, or ZZZZZ")),
        _ => {
            let mut msg = String::new();
            let _ = write!(msg, "invalid date format verb {}", quote(verb));
            return Err(msg);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn reference() -> GoTime {
        GoTime {
            dt: date(2006, 1, 2).at(15, 4, 5, 0),
            offset: 0,
            utc: true,
        }
    }

    fn fmt(spec: &str) -> Result<String, String> {
        format(spec, &reference())
    }

    #[test]
    fn cty_examples() {
        let cases = [
            ("", ""),
            ("YYYY-MM-DD", "2006-01-02"),
            ("EEE, MMM D ''YY", "Mon, Jan 2 '06"),
            ("hh:mm:ss", "15:04:05"),
            ("H 'o''clock' AA", "3 o'clock PM"),
            ("H 'o''clock'", "3 o'clock"),
            ("hh:mm:ssZZZZ", "15:04:05+0000"),
            ("hh:mm:ssZZZZZ", "15:04:05+00:00"),
            ("MMMM", "January"),
            ("EEEE", "Monday"),
            ("aa", "pm"),
            ("YYYY-MM-DD'T'hh:mm:ssZ", "2006-01-02T15:04:05Z"),
            ("DD MMM YYYY hh:mm ZZZ", "02 Jan 2006 15:04 UTC"),
            (
                "EEEE, DD-MMM-YY hh:mm:ss ZZZ",
                "Monday, 02-Jan-06 15:04:05 UTC",
            ),
            (
                "EEE, DD MMM YYYY hh:mm:ss ZZZ",
                "Mon, 02 Jan 2006 15:04:05 UTC",
            ),
            ("M/D h:m:s é", "1/2 15:4:5 é"),
        ];
        for (spec, want) in cases {
            assert_eq!(fmt(spec), Ok(want.to_string()), "{spec}");
        }
    }

    #[test]
    fn offsets() {
        let t = GoTime {
            offset: -(8 * 3600),
            utc: false,
            ..reference()
        };
        assert_eq!(
            format("Z ZZZ ZZZZ ZZZZZ", &t),
            Ok("-08:00 -0800 -0800 -08:00".into())
        );
    }

    #[test]
    fn invalid_specs() {
        let cases = [
            (
                "Y",
                "invalid date format verb \"Y\": year must either be \"YY\" or \"YYYY\"",
            ),
            (
                "YYYYY",
                "invalid date format verb \"YYYYY\": year must either be \"YY\" or \"YYYY\"",
            ),
            ("A", "invalid date format verb \"A\": must be \"AA\""),
            ("a", "invalid date format verb \"a\": must be \"aa\""),
            ("'blah blah", "unterminated literal '"),
            ("'", "unterminated literal '"),
            ("x", "invalid date format verb \"x\""),
            (
                "ZZ",
                "invalid date format verb \"ZZ\": timezone must be Z, ZZZZ, or ZZZZZ",
            ),
        ];
        for (spec, want) in cases {
            assert_eq!(fmt(spec), Err(want.to_string()), "{spec}");
        }
    }
}
