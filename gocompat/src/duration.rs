//! Go's `time.Duration`: signed int64 nanoseconds, `time.ParseDuration`
//! exactly (units `ns`, `us`/`µs`/`μs`, `ms`, `s`, `m`, `h`, a sign, Go's
//! range of ±2562047h47m16.854775807s and Go's error text), and
//! `Duration.String()`.
//!
//! [`GoDuration`] is the type component configs declare for a duration
//! field: it deserializes from the Go string, so a bad value is a decoding
//! error at its attribute and settings never parse the string again.

use crate::quote::time_quote;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A Go duration. `Default` is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct GoDuration(i64);

/// Why a string is not a Go duration; the message is Go's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Malformed, or outside Go's int64-nanosecond range.
    #[error("time: invalid duration {}", time_quote(.0))]
    Invalid(String),
    #[error("time: missing unit in duration {}", time_quote(.0))]
    MissingUnit(String),
    #[error("time: unknown unit {} in duration {}", time_quote(.unit), time_quote(.input))]
    UnknownUnit { unit: String, input: String },
}

const NANOS_PER_SEC: u64 = 1_000_000_000;

const UNITS: [(&str, u64); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),  // micro sign
    ("\u{3bc}s", 1_000), // Greek small letter mu
    ("ms", 1_000_000),
    ("s", NANOS_PER_SEC),
    ("m", 60 * NANOS_PER_SEC),
    ("h", 3_600 * NANOS_PER_SEC),
];

/// 2^63: the magnitude of the most negative duration, one more than the
/// largest positive one.
const LIMIT: u64 = 1 << 63;

impl GoDuration {
    pub const ZERO: GoDuration = GoDuration(0);
    /// 2562047h47m16.854775807s.
    pub const MAX: GoDuration = GoDuration(i64::MAX);
    pub const MIN: GoDuration = GoDuration(i64::MIN);

    pub const fn from_nanos(nanos: i64) -> GoDuration {
        GoDuration(nanos)
    }

    /// Go's `time.ParseDuration`.
    pub fn parse(s: &str) -> Result<GoDuration, DurationError> {
        parse(s).map(GoDuration)
    }

    /// A std duration, `None` beyond Go's range.
    pub fn from_std(d: Duration) -> Option<GoDuration> {
        i64::try_from(d.as_nanos()).ok().map(GoDuration)
    }

    pub const fn nanos(self) -> i64 {
        self.0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The duration to wait or allow: a negative Go duration waits no time
    /// at all (`time.Sleep`, `time.After` and `context.WithTimeout` treat
    /// it as zero), so it becomes `Duration::ZERO`.
    pub fn as_std(self) -> Duration {
        if self.0 < 0 {
            Duration::ZERO
        } else {
            self.unsigned_abs()
        }
    }

    /// The duration when it is greater than zero: for the settings where
    /// Packer reads zero or less as "not set".
    pub fn positive(self) -> Option<Duration> {
        (self.0 > 0).then(|| self.unsigned_abs())
    }

    /// The magnitude, sign dropped.
    pub fn unsigned_abs(self) -> Duration {
        Duration::from_nanos(self.0.unsigned_abs())
    }
}

impl fmt::Display for GoDuration {
    /// Go's `Duration.String()`: `1h2m3.5s`, `-1.5s`, `250ms`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format(self.0 < 0, u128::from(self.0.unsigned_abs())))
    }
}

impl FromStr for GoDuration {
    type Err = DurationError;
    fn from_str(s: &str) -> Result<GoDuration, DurationError> {
        GoDuration::parse(s)
    }
}

impl TryFrom<&str> for GoDuration {
    type Error = DurationError;
    fn try_from(s: &str) -> Result<GoDuration, DurationError> {
        GoDuration::parse(s)
    }
}

/// Go's `Duration.String()` of a std duration (never negative). Durations
/// beyond Go's range print the way Go's algorithm would carry on.
pub fn go_duration(d: Duration) -> String {
    format(false, d.as_nanos())
}

impl<'de> serde::Deserialize<'de> for GoDuration {
    /// From the Go string. Numbers arrive as their text, as Packer's
    /// HCL2 specs declare duration fields as strings: `0` is zero, `10` is
    /// Go's "missing unit" error.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<GoDuration, D::Error> {
        d.deserialize_str(Visitor)
    }
}

struct Visitor;

impl serde::de::Visitor<'_> for Visitor {
    type Value = GoDuration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Go duration such as \"30s\", \"5m\" or \"1h30m\"")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<GoDuration, E> {
        GoDuration::parse(s).map_err(E::custom)
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<GoDuration, E> {
        self.visit_str(&n.to_string())
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<GoDuration, E> {
        self.visit_str(&n.to_string())
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<GoDuration, E> {
        self.visit_str(&n.to_string())
    }
}

/// The nanoseconds `orig` stands for. A port of Go's `ParseDuration`
/// (hand-written: no crate parses Go's grammar with Go's range and
/// messages; `humantime` and friends accept other syntaxes).
fn parse(orig: &str) -> Result<i64, DurationError> {
    let invalid = || DurationError::Invalid(orig.to_owned());
    let mut s = orig;
    let mut negative = false;
    if let Some(rest) = s.strip_prefix('-') {
        negative = true;
        s = rest;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let before = s.len();
        let (whole, rest) = leading_int(s).ok_or_else(invalid)?;
        s = rest;
        let had_int = s.len() != before;
        let (mut frac, mut scale, mut had_frac) = (0u64, 1.0f64, false);
        if let Some(rest) = s.strip_prefix('.') {
            let (f, sc, rest_after) = leading_fraction(rest);
            had_frac = rest_after.len() != rest.len();
            (frac, scale, s) = (f, sc, rest_after);
        }
        if !had_int && !had_frac {
            // No digits at all, as in ".s" or "-.s".
            return Err(invalid());
        }
        // The unit runs to the next digit or point; both are ASCII, so
        // the split is on a character boundary.
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(DurationError::MissingUnit(orig.to_owned()));
        }
        let (unit, rest) = s.split_at(unit_len);
        s = rest;
        let Some(&(_, unit_nanos)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(DurationError::UnknownUnit {
                unit: unit.to_owned(),
                input: orig.to_owned(),
            });
        };
        if whole > LIMIT / unit_nanos {
            return Err(invalid());
        }
        let mut v = whole * unit_nanos;
        if frac > 0 {
            // Go goes through float64 here too: exact to the nanosecond
            // for fractions of an hour.
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let extra = (frac as f64 * (unit_nanos as f64 / scale)) as u64;
            v = v
                .checked_add(extra)
                .filter(|v| *v <= LIMIT)
                .ok_or_else(invalid)?;
        }
        total = total
            .checked_add(v)
            .filter(|t| *t <= LIMIT)
            .ok_or_else(invalid)?;
    }
    if negative {
        // -2^63 is the one negative value with no positive counterpart.
        return Ok(i64::try_from(total).map_or(i64::MIN, |t| -t));
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Go's `leadingInt`: the leading digits, `None` past 2^63.
fn leading_int(s: &str) -> Option<(u64, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = s.split_at(n);
    let mut x: u64 = 0;
    for c in digits.bytes() {
        if x > LIMIT / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > LIMIT {
            return None;
        }
    }
    Some((x, rest))
}

/// Go's `leadingFraction`: the digits after the point, the power of ten
/// they scale by, and what follows. Digits past what fits are skipped.
fn leading_fraction(s: &str) -> (u64, f64, &str) {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    let (digits, rest) = s.split_at(n);
    let (mut x, mut scale, mut overflow) = (0u64, 1.0f64, false);
    for c in digits.bytes() {
        if overflow {
            continue;
        }
        if x > (LIMIT - 1) / 10 {
            overflow = true;
            continue;
        }
        let y = x * 10 + u64::from(c - b'0');
        if y > LIMIT {
            overflow = true;
            continue;
        }
        x = y;
        scale *= 10.0;
    }
    (x, scale, rest)
}

/// Go's `Duration.format` on a magnitude and a sign: below a second in
/// the largest unit that keeps an integer part, else `h`/`m`/`s` with the
/// seconds' fraction, trailing zeros dropped.
fn format(negative: bool, nanos: u128) -> String {
    let mut out = String::new();
    if negative && nanos != 0 {
        out.push('-');
    }
    if nanos < u128::from(NANOS_PER_SEC) {
        let (unit, digits) = match nanos {
            0 => return "0s".into(),
            1..=999 => ("ns", 0),
            1_000..=999_999 => ("\u{b5}s", 3),
            _ => ("ms", 6),
        };
        out.push_str(&with_fraction(nanos, digits));
        out.push_str(unit);
        return out;
    }
    let secs = nanos / u128::from(NANOS_PER_SEC);
    let frac = nanos % u128::from(NANOS_PER_SEC);
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    if h > 0 {
        out.push_str(&format!("{h}h{m}m"));
    } else if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    out.push_str(&with_fraction(s * u128::from(NANOS_PER_SEC) + frac, 9));
    out.push('s');
    out
}

/// `v / 10^digits` in decimal, without trailing zeros or a bare point.
fn with_fraction(v: u128, digits: u32) -> String {
    let scale = 10u128.pow(digits);
    let (int, frac) = (v / scale, v % scale);
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:0width$}", width = digits as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn p(s: &str) -> Result<i64, String> {
        GoDuration::parse(s)
            .map(GoDuration::nanos)
            .map_err(|e| e.to_string())
    }

    /// Go's own `parseDurationTests` (time/time_test.go), the valid half.
    #[test]
    fn parses_what_go_parses() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("5s", 5 * S),
            ("30s", 30 * S),
            ("1478s", 1478 * S),
            ("-5s", -5 * S),
            ("+5s", 5 * S),
            ("-0", 0),
            ("+0", 0),
            ("5.0s", 5 * S),
            ("5.6s", 5 * S + 600_000_000),
            ("5.s", 5 * S),
            (".5s", S / 2),
            ("1.0s", S),
            ("1.00s", S),
            ("1.004s", S + 4_000_000),
            ("1.0040s", S + 4_000_000),
            ("100.00100s", 100 * S + 1_000_000),
            ("10ns", 10),
            ("11us", 11_000),
            ("12µs", 12_000),
            ("12μs", 12_000),
            ("13ms", 13_000_000),
            ("14s", 14 * S),
            ("15m", 15 * 60 * S),
            ("16h", 16 * 3600 * S),
            ("3h30m", (3 * 60 + 30) * 60 * S),
            ("10.5s4m", 4 * 60 * S + 10 * S + S / 2),
            ("-2m3.4s", -(2 * 60 * S + 3 * S + 400_000_000)),
            ("1h2m3s4ms5us6ns", 3_723_004_005_006),
            ("39h9m14.425s", 140_954_425_000_000),
            ("52763797000ns", 52_763_797_000),
            ("0.3333333333333333333h", 20 * 60 * S),
            ("9007199254740993ns", 9_007_199_254_740_993),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("9223372036s854ms775us807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("-9223372036854775.808us", i64::MIN),
            ("0.100000000000000000000h", 6 * 60 * S),
            ("0.830103483285477580700h", 2_988_372_539_827),
            ("1h2m3.5s", 3_723 * S + S / 2),
            ("-1.5h", -(90 * 60 * S)),
            ("2562047h", 2_562_047 * 3600 * S),
        ];
        for (s, want) in cases {
            assert_eq!(p(s), Ok(*want), "{s}");
        }
    }

    /// The error half, with Go's messages.
    #[test]
    fn rejects_what_go_rejects() {
        let cases: &[(&str, &str)] = &[
            ("", r#"time: invalid duration """#),
            ("3", r#"time: missing unit in duration "3""#),
            ("-", r#"time: invalid duration "-""#),
            ("s", r#"time: invalid duration "s""#),
            (".", r#"time: invalid duration ".""#),
            ("-.", r#"time: invalid duration "-.""#),
            (".s", r#"time: invalid duration ".s""#),
            ("+.s", r#"time: invalid duration "+.s""#),
            ("1d", r#"time: unknown unit "d" in duration "1d""#),
            ("1e3s", r#"time: unknown unit "e" in duration "1e3s""#),
            ("10sec", r#"time: unknown unit "sec" in duration "10sec""#),
            (
                "\u{85}\u{85}",
                r#"time: invalid duration "\xc2\x85\xc2\x85""#,
            ),
            ("\u{FFFD}", r#"time: invalid duration "\xef\xbf\xbd""#),
            (
                "9223372036854775808ns",
                r#"time: invalid duration "9223372036854775808ns""#,
            ),
            (
                "9223372036854775.808us",
                r#"time: invalid duration "9223372036854775.808us""#,
            ),
            (
                "9223372036854ms775us808ns",
                r#"time: invalid duration "9223372036854ms775us808ns""#,
            ),
            (
                "-9223372036854775809ns",
                r#"time: invalid duration "-9223372036854775809ns""#,
            ),
            ("2562048h", r#"time: invalid duration "2562048h""#),
            (
                "3000000000000000h",
                r#"time: invalid duration "3000000000000000h""#,
            ),
            ("1s\"", r#"time: unknown unit "s\"" in duration "1s\"""#),
        ];
        for (s, want) in cases {
            assert_eq!(p(s), Err((*want).to_owned()), "{s:?}");
        }
    }

    /// Go's `durationTests` for `Duration.String()`.
    #[test]
    fn prints_like_go() {
        let cases: &[(&str, i64)] = &[
            ("0s", 0),
            ("1ns", 1),
            ("1.1µs", 1_100),
            ("2.2ms", 2_200_000),
            ("3.3s", 3_300_000_000),
            ("4m5s", 4 * 60 * S + 5 * S),
            ("4m5.001s", 4 * 60 * S + 5_001_000_000),
            ("5h6m7.001s", 5 * 3600 * S + 6 * 60 * S + 7_001_000_000),
            ("8m0.000000001s", 8 * 60 * S + 1),
            ("2562047h47m16.854775807s", i64::MAX),
            ("-2562047h47m16.854775808s", i64::MIN),
            ("2h0m0s", 7200 * S),
            ("-1.5s", -1_500_000_000),
        ];
        for (want, nanos) in cases {
            assert_eq!(GoDuration::from_nanos(*nanos).to_string(), *want);
        }
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(go_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn accessors() {
        let d = GoDuration::parse("-1s").expect("valid");
        assert!(d.is_negative());
        assert_eq!(d.as_std(), Duration::ZERO);
        assert_eq!(d.positive(), None);
        assert_eq!(d.unsigned_abs(), Duration::from_secs(1));
        let d = GoDuration::parse("1m").expect("valid");
        assert_eq!(d.as_std(), Duration::from_secs(60));
        assert_eq!(d.positive(), Some(Duration::from_secs(60)));
        assert_eq!(GoDuration::ZERO.positive(), None);
        assert_eq!(
            GoDuration::MAX.as_std(),
            Duration::from_nanos(i64::MAX.unsigned_abs())
        );
        assert_eq!(GoDuration::from_std(Duration::from_secs(u64::MAX)), None);
    }

    #[test]
    fn deserializes_from_strings_with_go_messages() {
        let d: GoDuration = serde_json::from_str(r#""1h30m""#).expect("valid");
        assert_eq!(d, GoDuration::from_nanos(5400 * S));
        let zero: GoDuration = serde_json::from_str(r#""0""#).expect("zero");
        assert_eq!(zero, GoDuration::ZERO);
        let e = serde_json::from_str::<GoDuration>(r#""10""#).expect_err("no unit");
        assert!(
            e.to_string()
                .starts_with(r#"time: missing unit in duration "10""#),
            "{e}"
        );
        let e = serde_json::from_str::<GoDuration>(r#""3000000000000000h""#).expect_err("range");
        assert!(
            e.to_string()
                .starts_with(r#"time: invalid duration "3000000000000000h""#),
            "{e}"
        );
    }
}
