//! User and group names for tar headers. Packer's release binaries are
//! built without cgo, so Go's `os/user` reads `/etc/passwd` and
//! `/etc/group` directly; kiln does the same, and an id without an entry
//! gets an empty name, as in Packer's archives.

use std::collections::HashMap;
use std::fs;

#[derive(Debug, Default)]
pub(super) struct Owners {
    users: HashMap<u32, String>,
    groups: HashMap<u32, String>,
}

impl Owners {
    pub(super) fn load() -> Owners {
        Owners {
            users: parse(&fs::read_to_string("/etc/passwd").unwrap_or_default()),
            groups: parse(&fs::read_to_string("/etc/group").unwrap_or_default()),
        }
    }

    pub(super) fn user(&self, uid: u32) -> &str {
        self.users.get(&uid).map_or("", String::as_str)
    }

    pub(super) fn group(&self, gid: u32) -> &str {
        self.groups.get(&gid).map_or("", String::as_str)
    }
}

/// `name:x:id:...` lines; the first entry for an id wins, as Go's lookup
/// stops at the first match.
fn parse(text: &str) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split(':');
        let (Some(name), Some(_), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if let Ok(id) = id.parse::<u32>() {
            out.entry(id).or_insert_with(|| name.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_passwd_lines() {
        let m = parse("# c\nroot:x:0:0:root:/root:/bin/bash\nbad line\ntoor:x:0:0::/:/bin/sh\nd:x:1:1::/:/x\n");
        assert_eq!(m.get(&0).map(String::as_str), Some("root"));
        assert_eq!(m.get(&1).map(String::as_str), Some("d"));
        assert_eq!(m.len(), 2);
        assert_eq!(Owners::default().user(5), "");
    }
}
