//! A point in time the way Go's `time.Time` carries it for formatting (wall
//! clock plus a fixed UTC offset), and Go's reference-time layouts
//! (`2006-01-02T15:04:05Z07:00`) to format it.

use jiff::civil::DateTime;
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};
use std::fmt::Write;

/// Go's `time.RFC3339` layout.
pub(crate) const RFC3339: &str = "2006-01-02T15:04:05Z07:00";

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GoTime {
    /// Wall-clock time at `offset`.
    pub(crate) dt: DateTime,
    /// Seconds east of UTC.
    pub(crate) offset: i32,
    /// Whether the zone is UTC itself (named "UTC") rather than an
    /// unnamed fixed offset.
    pub(crate) utc: bool,
}

impl GoTime {
    pub(super) fn utc(ts: Timestamp) -> GoTime {
        GoTime {
            dt: Offset::UTC.to_datetime(ts),
            offset: 0,
            utc: true,
        }
    }

    pub(super) fn now() -> GoTime {
        GoTime::utc(Timestamp::now())
    }

    /// The same zone `nanos` nanoseconds later; `None` past the years
    /// -9999..=9999.
    pub(super) fn add_nanos(&self, nanos: i64) -> Option<GoTime> {
        let offset = Offset::from_seconds(self.offset).ok()?;
        let ts = offset.to_timestamp(self.dt).ok()?;
        let later = ts.checked_add(SignedDuration::from_nanos(nanos)).ok()?;
        Some(GoTime {
            dt: offset.to_datetime(later),
            ..*self
        })
    }

    pub(crate) fn format(&self, layout: &str) -> String {
        format(self, layout)
    }
}

const LONG_MONTHS: [&str; 12] = [
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

const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

pub(super) fn month_name(month: i8) -> &'static str {
    usize::try_from(month - 1)
        .ok()
        .and_then(|i| LONG_MONTHS.get(i))
        .copied()
        .unwrap_or("%!Month")
}

pub(super) fn weekday_name(dt: &DateTime) -> &'static str {
    usize::try_from(dt.weekday().to_sunday_zero_offset())
        .ok()
        .and_then(|i| LONG_DAYS.get(i))
        .copied()
        .unwrap_or("%!Weekday")
}

/// The elements of a Go layout.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Std {
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
    Pm,
    LowerPm,
    Tz,
    Iso8601Tz,
    Iso8601SecondsTz,
    Iso8601ShortTz,
    Iso8601ColonTz,
    Iso8601ColonSecondsTz,
    NumTz,
    NumSecondsTz,
    NumShortTz,
    NumColonTz,
    NumColonSecondsTz,
    /// Fractional seconds: separator, digit count, trim trailing zeros.
    Frac(u8, usize, bool),
}

/// Go's `nextStdChunk`: the literal prefix, the element and the rest.
fn next_chunk(layout: &str) -> (&str, Option<(Std, &str)>) {
    let b = layout.as_bytes();
    let has = |i: usize, s: &str| b.get(i..i + s.len()) == Some(s.as_bytes());
    let starts_lower = |i: usize| b.get(i).is_some_and(u8::is_ascii_lowercase);
    let split = |i: usize, len: usize, std: Std| {
        (
            layout.get(..i).unwrap_or(""),
            Some((std, layout.get(i + len..).unwrap_or(""))),
        )
    };
    for i in 0..b.len() {
        match b.get(i).copied().unwrap_or(0) {
            b'J' if has(i, "Jan") => {
                if has(i, "January") {
                    return split(i, 7, Std::LongMonth);
                }
                if !starts_lower(i + 3) {
                    return split(i, 3, Std::Month);
                }
            }
            b'M' if has(i, "Mon") || has(i, "MST") => {
                if has(i, "Mon") {
                    if has(i, "Monday") {
                        return split(i, 6, Std::LongWeekDay);
                    }
                    if !starts_lower(i + 3) {
                        return split(i, 3, Std::WeekDay);
                    }
                }
                if has(i, "MST") {
                    return split(i, 3, Std::Tz);
                }
            }
            b'0' => {
                let zero = [
                    Std::ZeroMonth,
                    Std::ZeroDay,
                    Std::ZeroHour12,
                    Std::ZeroMinute,
                    Std::ZeroSecond,
                    Std::Year,
                ];
                if let Some(d @ b'1'..=b'6') = b.get(i + 1).copied() {
                    if let Some(std) = zero.get(usize::from(d - b'1')) {
                        return split(i, 2, *std);
                    }
                }
                if has(i, "002") {
                    return split(i, 3, Std::ZeroYearDay);
                }
            }
            b'1' => {
                if has(i, "15") {
                    return split(i, 2, Std::Hour);
                }
                return split(i, 1, Std::NumMonth);
            }
            b'2' => {
                if has(i, "2006") {
                    return split(i, 4, Std::LongYear);
                }
                return split(i, 1, Std::Day);
            }
            b'_' => {
                if has(i, "_2") {
                    // `_2006` is a literal underscore and a long year.
                    if has(i + 1, "2006") {
                        return split(i + 1, 4, Std::LongYear);
                    }
                    return split(i, 2, Std::UnderDay);
                }
                if has(i, "__2") {
                    return split(i, 3, Std::UnderYearDay);
                }
            }
            b'3' => return split(i, 1, Std::Hour12),
            b'4' => return split(i, 1, Std::Minute),
            b'5' => return split(i, 1, Std::Second),
            b'P' if has(i, "PM") => return split(i, 2, Std::Pm),
            b'p' if has(i, "pm") => return split(i, 2, Std::LowerPm),
            b'-' => {
                for (s, std) in [
                    ("-070000", Std::NumSecondsTz),
                    ("-07:00:00", Std::NumColonSecondsTz),
                    ("-0700", Std::NumTz),
                    ("-07:00", Std::NumColonTz),
                    ("-07", Std::NumShortTz),
                ] {
                    if has(i, s) {
                        return split(i, s.len(), std);
                    }
                }
            }
            b'Z' => {
                for (s, std) in [
                    ("Z070000", Std::Iso8601SecondsTz),
                    ("Z07:00:00", Std::Iso8601ColonSecondsTz),
                    ("Z0700", Std::Iso8601Tz),
                    ("Z07:00", Std::Iso8601ColonTz),
                    ("Z07", Std::Iso8601ShortTz),
                ] {
                    if has(i, s) {
                        return split(i, s.len(), std);
                    }
                }
            }
            sep @ (b'.' | b',') => {
                if let Some(digit @ (b'0' | b'9')) = b.get(i + 1).copied() {
                    let run = b
                        .get(i + 1..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|c| **c == digit)
                        .count();
                    let end = i + 1 + run;
                    // Only a fraction when the run of digits ends here.
                    if !b.get(end).is_some_and(u8::is_ascii_digit) {
                        return split(i, run + 1, Std::Frac(sep, run, digit == b'9'));
                    }
                }
            }
            _ => {}
        }
    }
    (layout, None)
}

/// Go's `appendInt`: `x` zero-padded to `width` digits, sign first.
fn push_int(out: &mut String, x: i64, width: usize) {
    if x < 0 {
        out.push('-');
    }
    let _ = write!(out, "{:0width$}", x.unsigned_abs());
}

/// Go's `Time.Format`.
fn format(t: &GoTime, layout: &str) -> String {
    let dt = &t.dt;
    let mut out = String::with_capacity(layout.len() + 10);
    let mut rest = layout;
    loop {
        let (prefix, chunk) = next_chunk(rest);
        out.push_str(prefix);
        let Some((std, suffix)) = chunk else {
            return out;
        };
        rest = suffix;
        let hour = i64::from(dt.hour());
        let hour12 = if hour % 12 == 0 { 12 } else { hour % 12 };
        match std {
            Std::Year => push_int(&mut out, i64::from(dt.year()).abs() % 100, 2),
            Std::LongYear => push_int(&mut out, i64::from(dt.year()), 4),
            Std::Month => out.push_str(month_name(dt.month()).get(..3).unwrap_or("")),
            Std::LongMonth => out.push_str(month_name(dt.month())),
            Std::NumMonth => push_int(&mut out, i64::from(dt.month()), 0),
            Std::ZeroMonth => push_int(&mut out, i64::from(dt.month()), 2),
            Std::WeekDay => out.push_str(weekday_name(dt).get(..3).unwrap_or("")),
            Std::LongWeekDay => out.push_str(weekday_name(dt)),
            Std::Day => push_int(&mut out, i64::from(dt.day()), 0),
            Std::UnderDay => {
                if dt.day() < 10 {
                    out.push(' ');
                }
                push_int(&mut out, i64::from(dt.day()), 0);
            }
            Std::ZeroDay => push_int(&mut out, i64::from(dt.day()), 2),
            Std::UnderYearDay => {
                let yday = dt.day_of_year();
                if yday < 100 {
                    out.push(' ');
                    if yday < 10 {
                        out.push(' ');
                    }
                }
                push_int(&mut out, i64::from(yday), 0);
            }
            Std::ZeroYearDay => push_int(&mut out, i64::from(dt.day_of_year()), 3),
            Std::Hour => push_int(&mut out, hour, 2),
            Std::Hour12 => push_int(&mut out, hour12, 0),
            Std::ZeroHour12 => push_int(&mut out, hour12, 2),
            Std::Minute => push_int(&mut out, i64::from(dt.minute()), 0),
            Std::ZeroMinute => push_int(&mut out, i64::from(dt.minute()), 2),
            Std::Second => push_int(&mut out, i64::from(dt.second()), 0),
            Std::ZeroSecond => push_int(&mut out, i64::from(dt.second()), 2),
            Std::Pm => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
            Std::LowerPm => out.push_str(if hour >= 12 { "pm" } else { "am" }),
            Std::Tz => {
                if t.utc {
                    out.push_str("UTC");
                } else {
                    push_offset(&mut out, t.offset, false, true, false);
                }
            }
            Std::Iso8601Tz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonTz
            | Std::Iso8601ColonSecondsTz
                if t.offset == 0 =>
            {
                out.push('Z');
            }
            Std::Iso8601Tz | Std::NumTz => push_offset(&mut out, t.offset, false, true, false),
            Std::Iso8601ColonTz | Std::NumColonTz => {
                push_offset(&mut out, t.offset, true, true, false);
            }
            Std::Iso8601ShortTz | Std::NumShortTz => {
                push_offset(&mut out, t.offset, false, false, false);
            }
            Std::Iso8601SecondsTz | Std::NumSecondsTz => {
                push_offset(&mut out, t.offset, false, true, true);
            }
            Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz => {
                push_offset(&mut out, t.offset, true, true, true);
            }
            Std::Frac(sep, digits, trim) => {
                let nanos = dt.subsec_nanosecond();
                if trim && (digits == 0 || nanos == 0) {
                    continue;
                }
                let mut frac = format!("{nanos:09}");
                frac.truncate(digits.min(9));
                if trim {
                    let kept = frac.trim_end_matches('0').len();
                    frac.truncate(kept);
                    if frac.is_empty() {
                        continue;
                    }
                }
                out.push(char::from(sep));
                out.push_str(&frac);
            }
        }
    }
}

/// `±hh[:]mm[[:]ss]` for an offset in seconds.
fn push_offset(out: &mut String, offset: i32, colon: bool, minutes: bool, seconds: bool) {
    let minutes_total = offset / 60;
    out.push(if minutes_total < 0 { '-' } else { '+' });
    let m = minutes_total.unsigned_abs();
    let _ = write!(out, "{:02}", m / 60);
    if minutes {
        if colon {
            out.push(':');
        }
        let _ = write!(out, "{:02}", m % 60);
    }
    if seconds {
        if colon {
            out.push(':');
        }
        let _ = write!(out, "{:02}", offset.unsigned_abs() % 60);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(offset: i32, utc: bool) -> GoTime {
        GoTime {
            dt: date(2006, 1, 2).at(15, 4, 5, 120_000_000),
            offset,
            utc,
        }
    }

    #[test]
    fn formats_the_reference_time_like_go() {
        let t = at(0, true);
        assert_eq!(t.format(RFC3339), "2006-01-02T15:04:05Z");
        assert_eq!(
            t.format("Mon Jan _2 15:04:05 MST 2006"),
            "Mon Jan  2 15:04:05 UTC 2006"
        );
        assert_eq!(
            t.format("Monday, 02-Jan-06 03:04:05 PM"),
            "Monday, 02-Jan-06 03:04:05 PM"
        );
        assert_eq!(
            t.format("January 2, 2006 3:4:5 pm"),
            "January 2, 2006 3:4:5 pm"
        );
        assert_eq!(
            t.format("2006-01-02 15:04:05.000"),
            "2006-01-02 15:04:05.120"
        );
        assert_eq!(t.format("15:04:05.999999999"), "15:04:05.12");
        assert_eq!(t.format("15:04:05,000000"), "15:04:05,120000");
        assert_eq!(t.format("002 __2"), "002   2");
        assert_eq!(t.format("-0700 -07:00 -07 Z0700"), "+0000 +00:00 +00 Z");
    }

    #[test]
    fn literal_text_survives() {
        let t = at(0, true);
        assert_eq!(t.format("Janet Monday_2006 x"), "Janet Monday_2006 x");
        assert_eq!(t.format("Jant"), "Jant");
        assert_eq!(t.format("06 Mont"), "06 Mont");
        assert_eq!(t.format("héllo"), "héllo");
    }

    #[test]
    fn offsets() {
        let t = at(-(5 * 3600 + 30 * 60), false);
        assert_eq!(t.format(RFC3339), "2006-01-02T15:04:05-05:30");
        assert_eq!(
            t.format("MST -0700 Z07 -07:00:00"),
            "-0530 -0530 -05 -05:30:00"
        );
    }

    #[test]
    fn adds_in_the_same_zone() {
        let t = at(3600, false);
        let later = t.add_nanos(90 * 60 * 1_000_000_000).expect("in range");
        assert_eq!(later.format(RFC3339), "2006-01-02T16:34:05+01:00");
    }
}
