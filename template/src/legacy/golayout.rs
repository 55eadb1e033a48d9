//! Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`), as
//! `{{ isotime "..." }}` formats Packer's build start time with them.

use crate::functions::datetime::go_time::GoTime;
use jiff::Zoned;

/// Go's `time.RFC3339` layout.
pub const RFC3339: &str = crate::functions::datetime::go_time::RFC3339;

/// Format `t` with a Go layout, through the function library's Go-time
/// formatter (one implementation for `legacy_isotime` and `{{ isotime }}`).
pub fn format(t: &Zoned, layout: &str) -> String {
    GoTime {
        dt: t.datetime(),
        offset: t.offset().seconds(),
        utc: t.time_zone().iana_name() == Some("UTC"),
    }
    .format(layout)
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
