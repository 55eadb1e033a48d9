//! Go's `time.Duration.String()`, which Packer prints everywhere
//! ("1m30s", "250ms", "2h0m0s").

use std::time::Duration;

pub fn go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{}µs", trim(nanos as f64 / 1e3));
    }
    if nanos < 1_000_000_000 {
        return format!("{}ms", trim(nanos as f64 / 1e6));
    }
    let total = d.as_secs();
    let (h, m) = (total / 3600, (total / 60) % 60);
    let s = (total % 60) as f64 + f64::from(d.subsec_nanos()) / 1e9;
    let secs = format!("{}s", trim(s));
    if h > 0 {
        format!("{h}h{m}m{secs}")
    } else if m > 0 {
        format!("{m}m{secs}")
    } else {
        secs
    }
}

/// Packer's "finished after 2 minutes 3 seconds" wording
/// (`durafmt.Parse(d).Round(2)` style: the two largest units).
pub fn human_duration(d: Duration) -> String {
    let units: [(&str, u128); 6] = [
        ("hour", 3_600_000_000_000),
        ("minute", 60_000_000_000),
        ("second", 1_000_000_000),
        ("millisecond", 1_000_000),
        ("microsecond", 1_000),
        ("nanosecond", 1),
    ];
    let mut left = d.as_nanos();
    let mut parts = Vec::new();
    for (name, size) in units {
        let n = left / size;
        left %= size;
        if n > 0 {
            parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
        }
        if parts.len() == 2 {
            break;
        }
    }
    if parts.is_empty() {
        return "0 seconds".into();
    }
    parts.join(" ")
}

/// Go's `time.ParseDuration`, sign included (`-1s` is how Packer disables
/// some intervals). `Err` carries Go's message (`time: invalid duration
/// "abc"`), which Packer prints after `error decoding 'FIELD': `.
pub fn parse_go_duration(s: &str) -> Result<SignedDuration, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(s));
    let (negative, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(SignedDuration {
            negative: false,
            duration: Duration::ZERO,
        });
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_end);
        if num.is_empty() || num == "." {
            return Err(invalid());
        }
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", go_quote(s)));
        }
        let nanos_per: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(unit),
                    go_quote(s)
                ))
            }
        };
        let n: f64 = num.parse().map_err(|_| invalid())?;
        let part = Duration::try_from_secs_f64(n * nanos_per / 1e9).map_err(|_| invalid())?;
        total = total.checked_add(part).ok_or_else(invalid)?;
        rest = next;
    }
    Ok(SignedDuration {
        negative: negative && !total.is_zero(),
        duration: total,
    })
}

/// A Go duration with its sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignedDuration {
    pub negative: bool,
    pub duration: Duration,
}

impl SignedDuration {
    /// The duration if it is greater than zero.
    pub fn positive(self) -> Option<Duration> {
        (!self.negative && !self.duration.is_zero()).then_some(self.duration)
    }
}

/// Go's `%q` for the ASCII text durations are made of.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn trim(x: f64) -> String {
    let s = format!("{x:.9}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_go() {
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_secs(7200)), "2h0m0s");
        assert_eq!(go_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn parses_like_go() {
        let d = |s: &str| parse_go_duration(s).map(|d| (d.negative, d.duration));
        assert_eq!(d("5m"), Ok((false, Duration::from_secs(300))));
        assert_eq!(d("1h30m"), Ok((false, Duration::from_secs(5400))));
        assert_eq!(d("1.5s"), Ok((false, Duration::from_millis(1500))));
        assert_eq!(d("-1s"), Ok((true, Duration::from_secs(1))));
        assert_eq!(d("0"), Ok((false, Duration::ZERO)));
        assert_eq!(d("abc"), Err("time: invalid duration \"abc\"".into()));
        assert_eq!(d(""), Err("time: invalid duration \"\"".into()));
        assert_eq!(d("5"), Err("time: missing unit in duration \"5\"".into()));
        assert_eq!(
            d("5x"),
            Err("time: unknown unit \"x\" in duration \"5x\"".into())
        );
        assert_eq!(
            parse_go_duration("-1s").ok().and_then(|d| d.positive()),
            None
        );
    }

    #[test]
    fn human_two_units() {
        assert_eq!(
            human_duration(Duration::from_micros(18_078)),
            "18 milliseconds 78 microseconds"
        );
        assert_eq!(human_duration(Duration::from_secs(61)), "1 minute 1 second");
    }
}
