//! `legacy_strftime`'s format: strftime directives (as jehiah/go-strftime,
//! which Packer uses, understands them) mapped onto Go layouts.

use super::go_time::GoTime;

/// The Go layout each supported directive stands for.
fn layout_for(directive: u8) -> Option<&'static str> {
    Some(match directive {
        b'B' => "January",
        b'b' => "Jan",
        b'm' => "01",
        b'A' => "Monday",
        b'a' => "Mon",
        b'd' => "02",
        b'H' => "15",
        b'I' => "03",
        b'M' => "04",
        b'S' => "05",
        b'Y' => "2006",
        b'y' => "06",
        b'p' => "PM",
        b'Z' => "MST",
        b'z' => "-0700",
        // Ruby's milliseconds.
        b'L' => ".000",
        _ => return None,
    })
}

/// Text outside directives is copied as is; `%%` is a percent sign and an
/// unknown directive is kept verbatim.
pub(super) fn format(spec: &str, t: &GoTime) -> String {
    let b = spec.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len() + 16);
    let mut i = 0;
    while i < b.len() {
        let rest = b.get(i..).unwrap_or_default();
        let percent = rest
            .iter()
            .position(|c| *c == b'%')
            .map_or(b.len(), |p| i + p);
        out.extend_from_slice(b.get(i..percent).unwrap_or_default());
        match b.get(percent + 1) {
            Some(b'%') => out.push(b'%'),
            Some(&c) => match layout_for(c) {
                Some(layout) => out.extend_from_slice(t.format(layout).as_bytes()),
                None => out.extend_from_slice(&[b'%', c]),
            },
            None if percent < b.len() => out.push(b'%'),
            None => {}
        }
        i = percent + 2;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn t() -> GoTime {
        GoTime {
            dt: date(2012, 6, 21).at(2, 12, 56, 0),
            offset: 0,
            utc: true,
        }
    }

    #[test]
    fn go_strftime_examples() {
        assert_eq!(format("%Y-%m-%d %H:%M:%S", &t()), "2012-06-21 02:12:56");
        assert_eq!(format("aaabbb0123456789%Y", &t()), "aaabbb01234567892012");
        assert_eq!(format("%0%1%%%2", &t()), "%0%1%%2");
        assert_eq!(format("%H:%M:%S%L", &t()), "02:12:56.000");
    }

    #[test]
    fn names_zones_and_edges() {
        assert_eq!(
            format("%A %a %B %b %y %I%p %Z %z", &t()),
            "Thursday Thu June Jun 12 02AM UTC +0000"
        );
        assert_eq!(format("100%", &t()), "100%");
        assert_eq!(format("", &t()), "");
        assert_eq!(format("é%Y", &t()), "é2012");
    }
}
