//! Durations as Packer prints them. Go's own `Duration.String()` and
//! `time.ParseDuration` live in `kiln_gocompat::duration`; `go_duration`
//! is re-exported here for the components that print through core.

use std::time::Duration;

pub use kiln_gocompat::duration::go_duration;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_two_units() {
        assert_eq!(
            human_duration(Duration::from_micros(18_078)),
            "18 milliseconds 78 microseconds"
        );
        assert_eq!(human_duration(Duration::from_secs(61)), "1 minute 1 second");
    }
}
