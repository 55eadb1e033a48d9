//! The user a command runs as, resolved against the rootfs's own
//! /etc/passwd and /etc/group the way runc does it (`user.GetExecUser`),
//! with Docker's error messages.

use crate::error::SandboxError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups (the primary one first).
    pub groups: Vec<u32>,
    pub home: String,
}

struct PasswdEntry<'a> {
    name: &'a str,
    uid: u32,
    gid: u32,
    home: &'a str,
}

struct GroupEntry<'a> {
    name: &'a str,
    gid: u32,
    members: Vec<&'a str>,
}

fn passwd_entries(passwd: &str) -> impl Iterator<Item = PasswdEntry<'_>> {
    passwd.lines().filter_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        match f.as_slice() {
            [name, _, uid, gid, _, home, ..] => Some(PasswdEntry {
                name,
                uid: uid.parse().ok()?,
                gid: gid.parse().ok()?,
                home,
            }),
            _ => None,
        }
    })
}

fn group_entries(group: &str) -> impl Iterator<Item = GroupEntry<'_>> {
    group.lines().filter_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        match f.as_slice() {
            [name, _, gid, members, ..] => Some(GroupEntry {
                name,
                gid: gid.parse().ok()?,
                members: members.split(',').filter(|m| !m.is_empty()).collect(),
            }),
            [name, _, gid] => Some(GroupEntry {
                name,
                gid: gid.parse().ok()?,
                members: Vec::new(),
            }),
            _ => None,
        }
    })
}

/// Resolve `spec` (`""`/`None` = root, `name`, `uid`, `user:group`) with
/// the contents of the rootfs's passwd and group files (empty when the
/// rootfs has none).
pub fn resolve(spec: Option<&str>, passwd: &str, group: &str) -> Result<ExecUser, SandboxError> {
    let spec = spec.unwrap_or("").trim();
    let (user_part, group_part) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let user_part = if user_part.is_empty() { "0" } else { user_part };
    let found = match user_part.parse::<u32>() {
        Ok(uid) => passwd_entries(passwd).find(|e| e.uid == uid),
        Err(_) => passwd_entries(passwd).find(|e| e.name == user_part),
    };
    let (uid, mut gid, name, home) = match (found, user_part.parse::<u32>()) {
        (Some(e), _) => (e.uid, e.gid, Some(e.name), e.home.to_owned()),
        // A numeric uid need not exist: root's group and `/` (runc).
        (None, Ok(uid)) => (uid, 0, None, "/".to_owned()),
        (None, Err(_)) => {
            return Err(SandboxError::User(format!(
                "unable to find user {user_part}: no matching entries in passwd file"
            )))
        }
    };
    if let Some(g) = group_part.filter(|g| !g.is_empty()) {
        gid = match g.parse::<u32>() {
            Ok(n) => n,
            Err(_) => group_entries(group)
                .find(|e| e.name == g)
                .map(|e| e.gid)
                .ok_or_else(|| {
                    SandboxError::User(format!(
                        "unable to find group {g}: no matching entries in group file"
                    ))
                })?,
        };
    }
    let mut groups = vec![gid];
    if let Some(name) = name {
        for e in group_entries(group).filter(|e| e.members.contains(&name)) {
            if !groups.contains(&e.gid) {
                groups.push(e.gid);
            }
        }
    }
    Ok(ExecUser {
        uid,
        gid,
        groups,
        home,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
        app:x:1000:1000:App,,,:/home/app:/bin/sh\n\
        broken line\n";
    const GROUP: &str =
        "root:x:0:\nadm:x:4:app,syslog\nstaff:x:50:\napp:x:1000:\nwheel:x:10:root\n";

    #[test]
    fn default_is_root_with_its_home() {
        let u = resolve(None, PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (0, 0, "/root"));
        assert_eq!(u.groups, [0, 10]);
    }

    #[test]
    fn names_take_their_primary_and_supplementary_groups() {
        let u = resolve(Some("app"), PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (1000, 1000, "/home/app"));
        assert_eq!(u.groups, [1000, 4]);
    }

    #[test]
    fn uids_and_groups_by_number_or_name() {
        let u = resolve(Some("1000:staff"), PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid), (1000, 50));
        let u = resolve(Some("4242:4343"), PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (4242, 4343, "/"));
        assert_eq!(u.groups, [4343]);
        let u = resolve(Some("4242"), "", "").unwrap();
        assert_eq!((u.uid, u.gid), (4242, 0));
    }

    #[test]
    fn unknown_names_are_dockers_errors() {
        let e = resolve(Some("nobody"), PASSWD, GROUP).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unable to find user nobody: no matching entries in passwd file"
        );
        let e = resolve(Some("app:nogroup"), PASSWD, GROUP).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unable to find group nogroup: no matching entries in group file"
        );
    }
}
