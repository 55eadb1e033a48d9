//! `/etc/os-release` (or `/usr/lib/os-release`): the operating system an
//! image is, as os-release(5) writes it: `KEY=value` lines, values
//! optionally quoted with shell-style escapes.

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsRelease {
    /// `debian`, `alpine`, `fedora`.
    pub id: String,
    /// `12`, `3.20.3`; empty for rolling releases.
    pub version_id: String,
    pub name: String,
    pub pretty_name: String,
    /// `ID_LIKE`, space-separated.
    pub id_like: Vec<String>,
}

/// One value: quotes removed, backslash escapes resolved.
fn unquote(v: &str) -> String {
    let v = v.trim();
    let inner = match (v.chars().next(), v.chars().last()) {
        (Some(q @ ('"' | '\'')), Some(e)) if q == e && v.len() >= 2 => &v[1..v.len() - 1],
        _ => v,
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub fn parse(text: &str) -> OsRelease {
    let mut os = OsRelease::default();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = unquote(v);
        match k.trim() {
            "ID" => os.id = v,
            "VERSION_ID" => os.version_id = v,
            "NAME" => os.name = v,
            "PRETTY_NAME" => os.pretty_name = v,
            "ID_LIKE" => os.id_like = v.split_whitespace().map(str::to_owned).collect(),
            _ => {}
        }
    }
    if os.id.is_empty() {
        // os-release(5): ID defaults to "linux".
        os.id = "linux".to_owned();
    }
    os
}

impl OsRelease {
    /// The purl `distro` qualifier: `debian-12`, `alpine-3.20.3`.
    pub fn distro(&self) -> String {
        if self.version_id.is_empty() {
            self.id.clone()
        } else {
            format!("{}-{}", self.id, self.version_id)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debian_and_alpine_files_read_as_written() {
        let d = super::parse(
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n# c\n",
        );
        assert_eq!(d.id, "debian");
        assert_eq!(d.version_id, "12");
        assert_eq!(d.pretty_name, "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(d.distro(), "debian-12");
        let a = super::parse("NAME='Alpine Linux'\nID=alpine\nVERSION_ID=3.20.3\nID_LIKE=\"a b\"");
        assert_eq!(a.name, "Alpine Linux");
        assert_eq!(a.id_like, ["a", "b"]);
        assert_eq!(a.distro(), "alpine-3.20.3");
        let esc = super::parse("PRETTY_NAME=\"say \\\"hi\\\"\"");
        assert_eq!(esc.pretty_name, "say \"hi\"");
        assert_eq!(esc.id, "linux");
    }
}
