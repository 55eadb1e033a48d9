//! rpm databases are recognised, not read: the sqlite database holds
//! each package as an rpm header blob, whose reader kiln does not have
//! yet. The build says so rather than writing an SBOM that looks whole.

/// Where rpm keeps its database: sqlite (Fedora 33+, RHEL 9),
/// Berkeley DB (older), and the `/usr/lib/sysimage` location (openSUSE).
pub const DATABASES: &[&str] = &[
    "/var/lib/rpm/rpmdb.sqlite",
    "/var/lib/rpm/Packages",
    "/usr/lib/sysimage/rpm/rpmdb.sqlite",
    "/usr/lib/sysimage/rpm/Packages.db",
];
