//! Parsing `2006-01-02T15:04:05Z07:00` timestamps exactly as Go's
//! `time.Parse(time.RFC3339, …)` does, including how it fails: Packer's
//! `timeadd` shows Go's error text as is, and `formatdate` rewords it the
//! way cty does.

use super::go_time::{GoTime, RFC3339};
use jiff::civil::DateTime;
use kiln_gocompat::quote::{quote, time_quote};

/// Go's `time.ParseError`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ParseError {
    value: String,
    layout_elem: &'static str,
    value_elem: String,
    message: String,
}

impl ParseError {
    /// The text of Go's `ParseError.Error()`.
    pub(super) fn go_message(&self) -> String {
        if self.message.is_empty() {
            format!(
                "parsing time {} as {}: cannot parse {} as {}",
                time_quote(&self.value),
                time_quote(RFC3339),
                time_quote(&self.value_elem),
                time_quote(self.layout_elem)
            )
        } else {
            format!("parsing time {}{}", time_quote(&self.value), self.message)
        }
    }

    /// cty's rewording, which names the timestamp part at fault.
    pub(super) fn cty_message(&self) -> String {
        const INVALID: &str = "not a valid RFC3339 timestamp";
        if self.layout_elem.is_empty() && self.value_elem.is_empty() && !self.message.is_empty() {
            return format!("{INVALID}{}", self.message);
        }
        let what = match self.layout_elem {
            "2006" => "year",
            "01" => "month",
            "02" => "day of month",
            "15" => "hour",
            "04" => "minute",
            "05" => "second",
            "Z07:00" => "UTC offset",
            "T" => return format!("{INVALID}: missing required time introducer 'T'"),
            ":" | "-" => {
                return if self.value_elem.is_empty() {
                    format!(
                        "{INVALID}: end of string where {} is expected",
                        quote(self.layout_elem)
                    )
                } else {
                    format!(
                        "{INVALID}: found {} where {} is expected",
                        quote(&self.value_elem),
                        quote(self.layout_elem)
                    )
                };
            }
            _ => "timestamp segment",
        };
        if self.value_elem.is_empty() {
            format!("{INVALID}: end of string before {what}")
        } else {
            format!(
                "{INVALID}: cannot use {} as {what}",
                quote(&self.value_elem)
            )
        }
    }
}

struct Parser<'a> {
    value: &'a str,
    rest: &'a [u8],
}

impl Parser<'_> {
    fn fail(&self, layout_elem: &'static str, message: &str) -> ParseError {
        ParseError {
            value: self.value.to_string(),
            layout_elem,
            value_elem: String::from_utf8_lossy(self.rest).into_owned(),
            message: message.to_string(),
        }
    }

    /// A literal separator of the layout.
    fn skip(&mut self, lit: &'static str) -> Result<(), ParseError> {
        match self.rest.strip_prefix(lit.as_bytes()) {
            Some(rest) => {
                self.rest = rest;
                Ok(())
            }
            None => Err(self.fail(lit, "")),
        }
    }

    /// Go's `getnum`: one or two digits (exactly two when `fixed`). On
    /// failure nothing is consumed.
    fn num(&mut self, elem: &'static str, fixed: bool) -> Result<i64, ParseError> {
        let digit = |i: usize| {
            self.rest
                .get(i)
                .filter(|b| b.is_ascii_digit())
                .map(|b| i64::from(b - b'0'))
        };
        let Some(first) = digit(0) else {
            return Err(self.fail(elem, ""));
        };
        match digit(1) {
            Some(second) => {
                self.rest = self.rest.get(2..).unwrap_or_default();
                Ok(first * 10 + second)
            }
            None if fixed => Err(self.fail(elem, "")),
            None => {
                self.rest = self.rest.get(1..).unwrap_or_default();
                Ok(first)
            }
        }
    }

    /// A parsed element outside its range: Go reports what follows it.
    fn range(&self, elem: &'static str, what: &str) -> ParseError {
        self.fail(elem, &format!(": {what} out of range"))
    }
}

pub(super) fn parse(value: &str) -> Result<GoTime, ParseError> {
    let mut p = Parser {
        value,
        rest: value.as_bytes(),
    };
    // Year: four bytes that must all be digits (Go consumes them first).
    if p.rest.len() < 4 || !p.rest.first().is_some_and(u8::is_ascii_digit) {
        return Err(p.fail("2006", ""));
    }
    let (year_bytes, rest) = p.rest.split_at(4);
    p.rest = rest;
    if !year_bytes.iter().all(u8::is_ascii_digit) {
        return Err(p.fail("2006", ""));
    }
    let year = year_bytes
        .iter()
        .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
    p.skip("-")?;
    let month = p.num("01", true)?;
    if !(1..=12).contains(&month) {
        return Err(p.range("01", "month"));
    }
    p.skip("-")?;
    let day = p.num("02", true)?;
    p.skip("T")?;
    let hour = p.num("15", false)?;
    if hour >= 24 {
        return Err(p.range("15", "hour"));
    }
    p.skip(":")?;
    let minute = p.num("04", true)?;
    if minute >= 60 {
        return Err(p.range("04", "minute"));
    }
    p.skip(":")?;
    let second = p.num("05", true)?;
    if second >= 60 {
        return Err(p.range("05", "second"));
    }
    // Go accepts a fraction the layout does not mention; digits past the
    // ninth are read but ignored.
    let mut nanos = 0i64;
    if matches!(p.rest.first(), Some(b'.' | b',')) && p.rest.get(1).is_some_and(u8::is_ascii_digit)
    {
        let digits: Vec<u8> = p
            .rest
            .get(1..)
            .unwrap_or_default()
            .iter()
            .copied()
            .take_while(u8::is_ascii_digit)
            .collect();
        p.rest = p.rest.get(1 + digits.len()..).unwrap_or_default();
        for i in 0..9 {
            nanos = nanos * 10 + digits.get(i).map_or(0, |d| i64::from(d - b'0'));
        }
    }
    let offset = zone(&mut p)?;
    if !p.rest.is_empty() {
        let extra = String::from_utf8_lossy(p.rest).into_owned();
        return Err(p.fail("", &format!(": extra text: {}", time_quote(&extra))));
    }
    let dt = i16::try_from(year)
        .ok()
        .and_then(|y| {
            let t = jiff::civil::time(
                i8::try_from(hour).ok()?,
                i8::try_from(minute).ok()?,
                i8::try_from(second).ok()?,
                i32::try_from(nanos).ok()?,
            );
            let d = jiff::civil::Date::new(y, i8::try_from(month).ok()?, i8::try_from(day).ok()?)
                .ok()?;
            Some(DateTime::from_parts(d, t))
        })
        .ok_or_else(|| p.fail("", ": day out of range"))?;
    Ok(GoTime {
        dt,
        offset: offset.unwrap_or(0),
        utc: offset.is_none(),
    })
}

/// The `Z07:00` element: `None` for `Z`, else the offset in seconds.
fn zone(p: &mut Parser<'_>) -> Result<Option<i32>, ParseError> {
    const ELEM: &str = "Z07:00";
    if let Some(rest) = p.rest.strip_prefix(b"Z") {
        p.rest = rest;
        return Ok(None);
    }
    if p.rest.len() < 6 || p.rest.get(3) != Some(&b':') {
        return Err(p.fail(ELEM, ""));
    }
    let (head, rest) = p.rest.split_at(6);
    p.rest = rest;
    let two = |i: usize| -> Option<i32> {
        let a = head.get(i).filter(|b| b.is_ascii_digit())?;
        let b = head.get(i + 1).filter(|b| b.is_ascii_digit())?;
        Some(i32::from(a - b'0') * 10 + i32::from(b - b'0'))
    };
    let (Some(hours), Some(minutes)) = (two(1), two(4)) else {
        return Err(p.fail(ELEM, ""));
    };
    if hours > 24 {
        return Err(p.range(ELEM, "time zone offset hour"));
    }
    if minutes > 60 {
        return Err(p.range(ELEM, "time zone offset minute"));
    }
    let seconds = (hours * 60 + minutes) * 60;
    match head.first() {
        Some(b'+') => Ok(Some(seconds)),
        Some(b'-') => Ok(Some(-seconds)),
        _ => Err(p.fail(ELEM, "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cty(value: &str) -> String {
        parse(value).expect_err("fails").cty_message()
    }

    #[test]
    fn parses_utc_offsets_and_fractions() {
        let t = parse("2017-11-22T00:00:00Z").expect("parses");
        assert!(t.utc);
        assert_eq!(t.format(RFC3339), "2017-11-22T00:00:00Z");
        let t = parse("2017-11-22T01:02:03.456+05:30").expect("parses");
        assert_eq!(t.offset, 5 * 3600 + 30 * 60);
        assert_eq!(t.dt.subsec_nanosecond(), 456_000_000);
        assert_eq!(t.format(RFC3339), "2017-11-22T01:02:03+05:30");
        // Go accepts a one-digit hour in the general parser.
        assert_eq!(parse("2017-11-22T1:02:03Z").expect("parses").dt.hour(), 1);
    }

    #[test]
    fn cty_messages() {
        let cases = [
            ("", "not a valid RFC3339 timestamp: end of string before year"),
            ("2017-01-02", "not a valid RFC3339 timestamp: missing required time introducer 'T'"),
            ("2017-12-02t00:00:00Z", "not a valid RFC3339 timestamp: missing required time introducer 'T'"),
            ("2017:01:02", "not a valid RFC3339 timestamp: found \":01:02\" where \"-\" is expected"),
            ("2017", "not a valid RFC3339 timestamp: end of string where \"-\" is expected"),
            ("2017-01-02T", "not a valid RFC3339 timestamp: end of string before hour"),
            ("2017-01-02T00", "not a valid RFC3339 timestamp: end of string where \":\" is expected"),
            ("2017-01-02T00:00:00", "not a valid RFC3339 timestamp: end of string before UTC offset"),
            ("2017-01-02T26:00:00Z", "not a valid RFC3339 timestamp: cannot use \":00:00Z\" as hour"),
            ("2017-13-02T00:00:00Z", "not a valid RFC3339 timestamp: cannot use \"-02T00:00:00Z\" as month"),
            ("2017-02-31T00:00:00Z", "not a valid RFC3339 timestamp: day out of range"),
            ("\"2017-12-02T00:00:00Z\"", "not a valid RFC3339 timestamp: cannot use \"\\\"2017-12-02T00:00:00Z\\\"\" as year"),
            ("2-12-02T00:00:00Z", "not a valid RFC3339 timestamp: cannot use \"-02T00:00:00Z\" as year"),
            ("2017-01-02T00:00:00Zjunk", "not a valid RFC3339 timestamp: cannot use \"junk\" as timestamp segment"),
        ];
        for (value, want) in cases {
            assert_eq!(cty(value), want, "{value}");
        }
    }

    #[test]
    fn go_messages() {
        assert_eq!(
            parse("2017-11-22").expect_err("fails").go_message(),
            "parsing time \"2017-11-22\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\""
        );
        assert_eq!(
            parse("2017-02-30T00:00:00Z")
                .expect_err("fails")
                .go_message(),
            "parsing time \"2017-02-30T00:00:00Z\": day out of range"
        );
        assert_eq!(
            parse("2017-11-22T00:00:00Zé")
                .expect_err("fails")
                .go_message(),
            "parsing time \"2017-11-22T00:00:00Z\\xc3\\xa9\": extra text: \"\\xc3\\xa9\""
        );
    }
}
