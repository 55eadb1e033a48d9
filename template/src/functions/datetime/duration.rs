//! Go's `time.ParseDuration`: `300ms`, `-1.5h`, `2h45m`, units `ns`, `us`
//! (or `µs`), `ms`, `s`, `m`, `h`, with Go's error text.

use super::rfc3339::time_quote;

const UNITS: [(&str, u64); 9] = [
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("", 0),
];

const LIMIT: u64 = 1 << 63;

/// The duration in nanoseconds.
pub(super) fn parse(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig.as_bytes();
    let mut negative = false;
    if let Some((&sign @ (b'-' | b'+'), rest)) = s.split_first() {
        negative = sign == b'-';
        s = rest;
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !s.first().is_some_and(|c| *c == b'.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let before = s.len();
        let (whole, rest) = leading_int(s).ok_or_else(invalid)?;
        s = rest;
        let had_int = s.len() != before;
        let mut frac = 0u64;
        let mut scale = 1.0f64;
        let mut had_frac = false;
        if let Some(rest) = s.strip_prefix(b".") {
            let before = rest.len();
            let (f, sc, rest) = leading_fraction(rest);
            frac = f;
            scale = sc;
            had_frac = rest.len() != before;
            s = rest;
        }
        if !had_int && !had_frac {
            return Err(invalid());
        }
        let unit_len = s
            .iter()
            .take_while(|c| **c != b'.' && !c.is_ascii_digit())
            .count();
        if unit_len == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                time_quote(orig)
            ));
        }
        let (unit, rest) = s.split_at(unit_len);
        s = rest;
        let Some(&(_, unit_nanos)) = UNITS
            .iter()
            .find(|(name, n)| *n > 0 && name.as_bytes() == unit)
        else {
            let unit = String::from_utf8_lossy(unit);
            return Err(format!(
                "time: unknown unit {} in duration {}",
                time_quote(&unit),
                time_quote(orig)
            ));
        };
        if whole > LIMIT / unit_nanos {
            return Err(invalid());
        }
        let mut v = whole * unit_nanos;
        if frac > 0 {
            // Go goes through float64 here too, to stay exact to the
            // nanosecond for fractions of an hour.
            #[allow(
                clippy::cast_precision_loss,
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss
            )]
            let extra = (frac as f64 * (unit_nanos as f64 / scale)) as u64;
            v = v.checked_add(extra).ok_or_else(invalid)?;
            if v > LIMIT {
                return Err(invalid());
            }
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

fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    for c in s.get(..n).unwrap_or_default() {
        if x > LIMIT / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > LIMIT {
            return None;
        }
    }
    Some((x, s.get(n..).unwrap_or_default()))
}

/// Digits after the point: their value, the power of ten they scale by,
/// and what follows. Digits past what fits are skipped.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let mut x: u64 = 0;
    let mut scale = 1.0;
    let mut overflow = false;
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    for c in s.get(..n).unwrap_or_default() {
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
    (x, scale, s.get(n..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse("1h30m"), Ok(90 * 60 * S));
        assert_eq!(parse("-10s"), Ok(-10 * S));
        assert_eq!(parse("+5s"), Ok(5 * S));
        assert_eq!(parse("1.5h"), Ok(90 * 60 * S));
        assert_eq!(parse(".5s"), Ok(S / 2));
        assert_eq!(parse("1.s"), Ok(S));
        assert_eq!(parse("300ms"), Ok(300_000_000));
        assert_eq!(parse("2us"), Ok(2_000));
        assert_eq!(parse("2µs"), Ok(2_000));
        assert_eq!(parse("2μs"), Ok(2_000));
        assert_eq!(parse("7ns"), Ok(7));
        assert_eq!(parse("1h1m1s1ms1us1ns"), Ok(3_661_001_001_001));
        assert_eq!(parse("-9223372036854775808ns"), Ok(i64::MIN));
    }

    #[test]
    fn go_errors() {
        assert_eq!(parse(""), Err("time: invalid duration \"\"".into()));
        assert_eq!(parse("-"), Err("time: invalid duration \"-\"".into()));
        assert_eq!(
            parse("1"),
            Err("time: missing unit in duration \"1\"".into())
        );
        assert_eq!(parse(".s"), Err("time: invalid duration \".s\"".into()));
        assert_eq!(parse("h"), Err("time: invalid duration \"h\"".into()));
        assert_eq!(
            parse("10sec"),
            Err("time: unknown unit \"sec\" in duration \"10sec\"".into())
        );
        assert_eq!(
            parse("1d"),
            Err("time: unknown unit \"d\" in duration \"1d\"".into())
        );
        assert_eq!(
            parse("9223372036854775808ns"),
            Err("time: invalid duration \"9223372036854775808ns\"".into())
        );
        assert_eq!(
            parse("3000000h"),
            Err("time: invalid duration \"3000000h\"".into())
        );
    }
}
