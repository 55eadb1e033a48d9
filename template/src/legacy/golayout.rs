//! Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`), as
//! `{{ isotime "..." }}` formats Packer's build start time with them.
//!
//! jiff formats with strftime directives, not Go layouts, so the layout is
//! scanned here the way Go's `time` package scans it (`nextStdChunk`):
//! longest token first, `Jan`/`Mon` only when not followed by a lower-case
//! letter, fractional seconds only as a run of `0`s or `9`s after `.` or `,`
//! that is not followed by another digit.

use jiff::Zoned;
use std::fmt::Write;

/// RFC 3339 as Go spells it: `isotime` without a layout uses this.
pub const RFC3339: &str = "2006-01-02T15:04:05Z07:00";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Chunk {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm {
        upper: bool,
    },
    /// A numeric offset: `Z` prints "Z" for UTC; `colons` separates the
    /// parts; `parts` is 1 (hours), 2 (+minutes) or 3 (+seconds).
    Offset {
        z: bool,
        colons: bool,
        parts: u8,
    },
    ZoneName,
    /// Fractional seconds: separator, digits, and whether trailing zeros
    /// are trimmed (`9`s) or kept (`0`s).
    Fraction {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

fn starts_lower(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// The token at the start of `s`, with its length in bytes.
fn token(s: &str) -> Option<(Chunk, usize)> {
    let b = s.as_bytes();
    let has = |p: &str| s.starts_with(p);
    let next = |i: usize| b.get(i).copied();
    let chunk = match next(0)? {
        b'J' if has("January") => (Chunk::LongMonth, 7),
        b'J' if has("Jan") && !starts_lower(s.get(3..).unwrap_or("")) => (Chunk::Month, 3),
        b'M' if has("Monday") => (Chunk::LongWeekDay, 6),
        b'M' if has("Mon") && !starts_lower(s.get(3..).unwrap_or("")) => (Chunk::WeekDay, 3),
        b'M' if has("MST") => (Chunk::ZoneName, 3),
        b'0' => match next(1)? {
            b'1' => (Chunk::ZeroMonth, 2),
            b'2' => (Chunk::ZeroDay, 2),
            b'3' => (Chunk::ZeroHour12, 2),
            b'4' => (Chunk::ZeroMinute, 2),
            b'5' => (Chunk::ZeroSecond, 2),
            b'6' => (Chunk::Year, 2),
            b'0' if next(2) == Some(b'2') => (Chunk::ZeroYearDay, 3),
            _ => return None,
        },
        b'1' if next(1) == Some(b'5') => (Chunk::Hour, 2),
        b'1' => (Chunk::NumMonth, 1),
        b'2' if has("2006") => (Chunk::LongYear, 4),
        b'2' => (Chunk::Day, 1),
        b'_' if has("__2") => (Chunk::UnderYearDay, 3),
        // "_2006" is a literal underscore before a year.
        b'_' if has("_2") && !has("_2006") => (Chunk::UnderDay, 2),
        b'3' => (Chunk::Hour12, 1),
        b'4' => (Chunk::Minute, 1),
        b'5' => (Chunk::Second, 1),
        b'P' if has("PM") => (Chunk::Pm { upper: true }, 2),
        b'p' if has("pm") => (Chunk::Pm { upper: false }, 2),
        b'-' | b'Z' => return offset_token(s),
        b'.' | b',' => return fraction_token(s),
        _ => return None,
    };
    Some(chunk)
}

fn offset_token(s: &str) -> Option<(Chunk, usize)> {
    let z = s.starts_with('Z');
    let rest = s.get(1..)?;
    // Longest form first, as Go checks them.
    let forms: [(&str, bool, u8); 5] = [
        ("070000", false, 3),
        ("07:00:00", true, 3),
        ("0700", false, 2),
        ("07:00", true, 2),
        ("07", false, 1),
    ];
    forms
        .iter()
        .find(|(f, _, _)| rest.starts_with(f))
        .map(|(f, colons, parts)| {
            (
                Chunk::Offset {
                    z,
                    colons: *colons,
                    parts: *parts,
                },
                1 + f.len(),
            )
        })
}

fn fraction_token(s: &str) -> Option<(Chunk, usize)> {
    let b = s.as_bytes();
    let sep = char::from(*b.first()?);
    let digit = *b.get(1)?;
    if digit != b'0' && digit != b'9' {
        return None;
    }
    let run = b.iter().skip(1).take_while(|c| **c == digit).count();
    if b.get(1 + run).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((
        Chunk::Fraction {
            sep,
            digits: run,
            trim: digit == b'9',
        },
        1 + run,
    ))
}

/// Format `t` with a Go layout.
pub fn format(t: &Zoned, layout: &str) -> String {
    let mut out = String::with_capacity(layout.len() + 8);
    let mut rest = layout;
    while let Some(c) = rest.chars().next() {
        match token(rest) {
            Some((chunk, len)) => {
                write_chunk(&mut out, t, chunk);
                rest = rest.get(len..).unwrap_or("");
            }
            None => {
                out.push(c);
                rest = rest.get(c.len_utf8()..).unwrap_or("");
            }
        }
    }
    out
}

fn write_chunk(out: &mut String, t: &Zoned, chunk: Chunk) {
    let month_index = usize::try_from(t.month() - 1).unwrap_or(0);
    let month = MONTHS.get(month_index).copied().unwrap_or("");
    let weekday_index = usize::try_from(t.weekday().to_monday_zero_offset()).unwrap_or(0);
    let weekday = WEEKDAYS.get(weekday_index).copied().unwrap_or("");
    let hour12 = match t.hour() % 12 {
        0 => 12,
        h => h,
    };
    let _ = match chunk {
        Chunk::LongMonth => write!(out, "{month}"),
        Chunk::Month => write!(out, "{}", month.get(..3).unwrap_or(month)),
        Chunk::NumMonth => write!(out, "{}", t.month()),
        Chunk::ZeroMonth => write!(out, "{:02}", t.month()),
        Chunk::LongWeekDay => write!(out, "{weekday}"),
        Chunk::WeekDay => write!(out, "{}", weekday.get(..3).unwrap_or(weekday)),
        Chunk::Day => write!(out, "{}", t.day()),
        Chunk::UnderDay => write!(out, "{:>2}", t.day()),
        Chunk::ZeroDay => write!(out, "{:02}", t.day()),
        Chunk::UnderYearDay => write!(out, "{:>3}", t.day_of_year()),
        Chunk::ZeroYearDay => write!(out, "{:03}", t.day_of_year()),
        Chunk::Hour => write!(out, "{:02}", t.hour()),
        Chunk::Hour12 => write!(out, "{hour12}"),
        Chunk::ZeroHour12 => write!(out, "{hour12:02}"),
        Chunk::Minute => write!(out, "{}", t.minute()),
        Chunk::ZeroMinute => write!(out, "{:02}", t.minute()),
        Chunk::Second => write!(out, "{}", t.second()),
        Chunk::ZeroSecond => write!(out, "{:02}", t.second()),
        Chunk::LongYear => write_long_year(out, t.year()),
        Chunk::Year => write!(out, "{:02}", t.year().rem_euclid(100)),
        Chunk::Pm { upper } => {
            let pm = t.hour() >= 12;
            let s = match (pm, upper) {
                (true, true) => "PM",
                (false, true) => "AM",
                (true, false) => "pm",
                (false, false) => "am",
            };
            write!(out, "{s}")
        }
        Chunk::Offset { z, colons, parts } => {
            write_offset(out, t.offset().seconds(), z, colons, parts);
            Ok(())
        }
        Chunk::ZoneName => {
            let info = t.time_zone().to_offset_info(t.timestamp());
            let name = info.abbreviation();
            // A fixed offset has no name; Go then prints "-0700".
            if name.is_empty() || name.starts_with(['+', '-']) {
                write_offset(out, t.offset().seconds(), false, false, 2);
            } else {
                out.push_str(name);
            }
            Ok(())
        }
        Chunk::Fraction { sep, digits, trim } => {
            write_fraction(out, t.subsec_nanosecond(), sep, digits, trim);
            Ok(())
        }
    };
}

/// Go pads the year to four digits, after the sign.
fn write_long_year(out: &mut String, year: i16) -> std::fmt::Result {
    if year < 0 {
        write!(out, "-{:04}", -i32::from(year))
    } else {
        write!(out, "{year:04}")
    }
}

fn write_offset(out: &mut String, seconds: i32, z: bool, colons: bool, parts: u8) {
    if z && seconds == 0 {
        out.push('Z');
        return;
    }
    out.push(if seconds < 0 { '-' } else { '+' });
    let abs = seconds.unsigned_abs();
    let _ = write!(out, "{:02}", abs / 3600);
    if parts >= 2 {
        if colons {
            out.push(':');
        }
        let _ = write!(out, "{:02}", abs / 60 % 60);
    }
    if parts >= 3 {
        if colons {
            out.push(':');
        }
        let _ = write!(out, "{:02}", abs % 60);
    }
}

fn write_fraction(out: &mut String, nanos: i32, sep: char, digits: usize, trim: bool) {
    let all = format!("{:09}", nanos.max(0));
    let mut frac = all.get(..digits.min(9)).unwrap_or("").to_owned();
    if trim {
        frac.truncate(frac.trim_end_matches('0').len());
        if frac.is_empty() {
            return;
        }
    }
    out.push(sep);
    out.push_str(&frac);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Zoned {
        s.parse().expect("valid zoned datetime")
    }

    #[test]
    fn rfc3339_in_utc() {
        let t = at("2024-03-05T07:08:09Z[UTC]");
        assert_eq!(format(&t, RFC3339), "2024-03-05T07:08:09Z");
    }

    #[test]
    fn date_layouts_packer_templates_use() {
        let t = at("2024-03-05T17:08:09Z[UTC]");
        assert_eq!(format(&t, "2006-01-02"), "2024-03-05");
        assert_eq!(format(&t, "20060102150405"), "20240305170809");
        assert_eq!(format(&t, "2006-01-02-1504"), "2024-03-05-1708");
        assert_eq!(
            format(&t, "Mon Jan _2 15:04:05 MST 2006"),
            "Tue Mar  5 17:08:09 UTC 2024"
        );
        assert_eq!(
            format(&t, "Monday, January 2, 2006 3:04PM"),
            "Tuesday, March 5, 2024 5:08PM"
        );
        assert_eq!(format(&t, "06/1/2 03:4:5 pm"), "24/3/5 05:8:9 pm");
        assert_eq!(format(&t, "002 __2"), "065  65");
    }

    #[test]
    fn words_that_only_look_like_tokens() {
        let t = at("2024-03-05T17:08:09Z[UTC]");
        // "Janet" and "Month" are not month/weekday tokens; "_2006" is an
        // underscore then a year.
        assert_eq!(format(&t, "Janet Month _2006"), "Janet Month _2024");
    }

    #[test]
    fn offsets() {
        let t = at("2024-03-05T17:08:09-07:30[-07:30]");
        assert_eq!(
            format(&t, "Z07:00 -0700 -07 Z0700 -07:00:00"),
            "-07:30 -0730 -07 -0730 -07:30:00"
        );
        let u = at("2024-03-05T17:08:09Z[UTC]");
        assert_eq!(format(&u, "Z07:00 -07:00 Z07"), "Z +00:00 Z");
        assert_eq!(format(&t, "MST"), "-0730");
    }

    #[test]
    fn fractional_seconds() {
        let t = at("2024-03-05T17:08:09.120Z[UTC]");
        assert_eq!(format(&t, "05.000"), "09.120");
        assert_eq!(format(&t, "05.999"), "09.12");
        assert_eq!(format(&t, "05,000000"), "09,120000");
        let whole = at("2024-03-05T17:08:09Z[UTC]");
        assert_eq!(format(&whole, "05.999"), "09");
        // A run of zeros followed by another digit is no fraction: Go
        // reads ".", "0", then "01" (the month).
        assert_eq!(format(&whole, ".001"), ".003");
    }
}
