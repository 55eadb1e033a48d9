//! No template value panics a component: every registered builder,
//! provisioner and post-processor gets its duration, size, port, count,
//! URL, path and glob fields filled with generated values, and the
//! registry's factories (decode → `Validate` → settings resolution) must
//! answer with a value or diagnostics, never a panic.
//!
//! Which fields a component has is found out, not listed per component:
//! each candidate field is tried on the component's minimal body, and
//! those the decoder does not call "Unsupported argument" are kept. The
//! seed corpus is the minimal bodies plus the edge values below; the run
//! has a fixed case count and RNG seed, so CI runs the same cases each time.

use super::Registry;
use kiln_template::config::{self, LoadOptions};
use kiln_template::plan::{self, ComponentKind, Components, Selection};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngSeed, TestRunner};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Duration,
    Size,
    Port,
    Count,
    Url,
    Path,
    Glob,
}

/// Candidate fields by kind: every field of these kinds that some
/// component has, plus the provisioner meta-arguments.
const CANDIDATES: &[(Kind, &[&str])] = &[
    (
        Kind::Duration,
        &[
            "boot_wait",
            "boot_key_interval",
            "shutdown_timeout",
            "ssh_timeout",
            "ssh_wait_timeout",
            "ssh_keep_alive_interval",
            "ssh_read_write_timeout",
            "pause_before_connecting",
            "start_retry_timeout",
            "pause_after",
            "pause_before",
            "timeout",
            "winrm_timeout",
        ],
    ),
    (
        Kind::Size,
        &["disk_size", "memory", "disk_additional_size", "volume_size"],
    ),
    (
        Kind::Port,
        &[
            "http_port_min",
            "http_port_max",
            "vnc_port_min",
            "vnc_port_max",
            "host_port_min",
            "host_port_max",
            "ssh_host_port_min",
            "ssh_host_port_max",
            "ssh_port",
            "ssh_bastion_port",
            "ssh_proxy_port",
            "vnc_port",
        ],
    ),
    (
        Kind::Count,
        &[
            "cpus",
            "sockets",
            "cores",
            "threads",
            "max_retries",
            "ssh_handshake_attempts",
            "compression_level",
            "iops",
            "throughput",
            "valid_exit_codes",
            "source_date_epoch",
        ],
    ),
    (
        Kind::Url,
        &[
            "url",
            "iso_url",
            "iso_urls",
            "iso_checksum",
            "custom_endpoint_ec2",
            "login_server",
            "image",
            "http_bind_address",
            "vnc_bind_address",
            "ssh_host",
            "ssh_bastion_host",
            "ssh_proxy_host",
            "deprecate_at",
        ],
    ),
    (
        Kind::Path,
        &[
            "output_directory",
            "output_file",
            "output",
            "http_directory",
            "script",
            "scripts",
            "source",
            "destination",
            "target",
            "path",
            "ssh_private_key_file",
            "user_data_file",
            "qemu_binary",
            "efi_firmware_code",
            "efi_firmware_vars",
            "iso_target_path",
            "working_dir",
            "remote_path",
            "remote_folder",
            "export_path",
            "vm_name",
            "tempfile_extension",
        ],
    ),
    (
        Kind::Glob,
        &["only", "except", "cd_files", "floppy_files", "floppy_dirs"],
    ),
];

/// Attribute name → HCL expression.
type Attrs = &'static [(&'static str, &'static str)];

/// The smallest body of each component that validates: generated fields
/// are laid over it. Every registered component must have one.
const MINIMAL: &[(Place, &str, Attrs)] = &[
    (
        Place::DataSource,
        "hcp-packer-version",
        &[("bucket_name", "\"base\""), ("channel_name", "\"prod\"")],
    ),
    (
        Place::DataSource,
        "hcp-packer-artifact",
        &[
            ("bucket_name", "\"base\""),
            ("channel_name", "\"prod\""),
            ("platform", "\"qemu\""),
            ("region", "\"local\""),
        ],
    ),
    (
        Place::DataSource,
        "http",
        &[("url", "\"http://127.0.0.1:9/x\"")],
    ),
    (
        Place::DataSource,
        "amazon-ami",
        &[
            ("region", "\"us-east-1\""),
            ("filters", "{ name = \"debian-*\" }"),
            ("owners", "[\"self\"]"),
        ],
    ),
    (
        Place::DataSource,
        "amazon-parameterstore",
        &[("region", "\"us-east-1\""), ("name", "\"/kiln/x\"")],
    ),
    (
        Place::DataSource,
        "amazon-secretsmanager",
        &[("region", "\"us-east-1\""), ("name", "\"kiln/x\"")],
    ),
    (Place::Builder, "null", &[("communicator", "\"none\"")]),
    (
        Place::Builder,
        "file",
        &[("content", "\"x\""), ("target", "\"out.txt\"")],
    ),
    (Place::Builder, "oci", &[("image", "\"debian:12\"")]),
    (
        Place::Builder,
        "docker",
        &[("image", "\"debian:12\""), ("commit", "true")],
    ),
    (
        Place::Builder,
        "qemu",
        &[
            ("iso_url", "\"disk.qcow2\""),
            ("iso_checksum", "\"none\""),
            ("disk_image", "true"),
            ("ssh_username", "\"kiln\""),
        ],
    ),
    (
        Place::Builder,
        "amazon-ebs",
        &[
            ("region", "\"us-east-1\""),
            ("instance_type", "\"t3.micro\""),
            ("source_ami", "\"ami-12345678\""),
            ("ami_name", "\"kiln\""),
            ("ssh_username", "\"admin\""),
            ("skip_credential_validation", "true"),
        ],
    ),
    (
        Place::Provisioner,
        "ansible",
        &[
            ("playbook_file", "\"Cargo.toml\""),
            ("skip_version_check", "true"),
        ],
    ),
    (
        Place::Provisioner,
        "ansible-local",
        &[("playbook_file", "\"Cargo.toml\"")],
    ),
    (Place::Provisioner, "breakpoint", &[]),
    (
        Place::Provisioner,
        "check",
        &[("command", "\"true\""), ("expect_stdout", "\"ok\"")],
    ),
    (
        Place::Provisioner,
        "file",
        &[("content", "\"x\""), ("destination", "\"/tmp/x\"")],
    ),
    // Paths the checks stat: the test runs in the package root.
    (
        Place::Provisioner,
        "puppet-masterless",
        &[("manifest_file", "\"Cargo.toml\"")],
    ),
    (
        Place::Provisioner,
        "salt-masterless",
        &[("local_state_tree", "\"src\"")],
    ),
    (Place::Provisioner, "shell", &[("inline", "[\"true\"]")]),
    (
        Place::Provisioner,
        "shell-local",
        &[("inline", "[\"true\"]")],
    ),
    (
        Place::Provisioner,
        "testinfra",
        &[("files", "[\"Cargo.toml\"]"), ("command", "\"pytest\"")],
    ),
    (Place::PostProcessor, "artifice", &[("files", "[\"x\"]")]),
    (Place::PostProcessor, "checksum", &[]),
    (Place::PostProcessor, "compress", &[]),
    (
        Place::PostProcessor,
        "docker-import",
        &[("repository", "\"kiln/x\"")],
    ),
    (Place::PostProcessor, "docker-push", &[]),
    (
        Place::PostProcessor,
        "docker-save",
        &[("path", "\"x.tar\"")],
    ),
    (
        Place::PostProcessor,
        "docker-tag",
        &[("repository", "\"kiln/x\"")],
    ),
    (Place::PostProcessor, "manifest", &[]),
    (Place::PostProcessor, "oci-push", &[]),
    (
        Place::PostProcessor,
        "shell-local",
        &[("inline", "[\"true\"]")],
    ),
    (Place::PostProcessor, "vagrant", &[]),
];

/// Where a component sits in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Builder,
    Provisioner,
    PostProcessor,
    DataSource,
}

const PLACES: [Place; 4] = [
    Place::Builder,
    Place::Provisioner,
    Place::PostProcessor,
    Place::DataSource,
];

/// The registered type names of a place.
fn registered(place: Place) -> Vec<&'static str> {
    match place {
        Place::Builder => Registry.known(ComponentKind::Builder),
        Place::Provisioner => Registry.known(ComponentKind::Provisioner),
        Place::PostProcessor => Registry.known(ComponentKind::PostProcessor),
        Place::DataSource => Registry.data_source_types(),
    }
}

/// One component with the fields (and their kinds) it accepts.
#[derive(Debug, Clone)]
struct Target {
    kind: Place,
    name: &'static str,
    minimal: Attrs,
    fields: Vec<(Kind, &'static str)>,
}

/// The minimal body with `extra` attributes laid over it (an extra one
/// replaces a minimal one of the same name: HCL rejects duplicates).
fn body(minimal: &[(&str, &str)], extra: &[(&str, String)]) -> String {
    let mut attrs: BTreeMap<&str, String> =
        minimal.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    for (k, v) in extra {
        attrs.insert(k, v.clone());
    }
    attrs
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A template holding `body` (minimal body + `extra` lines) in the place
/// its kind belongs.
fn template(kind: Place, name: &str, body: &str) -> String {
    match kind {
        Place::Builder => format!(
            "source \"{name}\" \"fz\" {{\n{body}\n}}\nbuild {{\n  sources = [\"source.{name}.fz\"]\n}}\n"
        ),
        Place::Provisioner => format!(
            "source \"null\" \"fz\" {{\n  communicator = \"none\"\n}}\nbuild {{\n  sources = [\"source.null.fz\"]\n  provisioner \"{name}\" {{\n{body}\n  }}\n}}\n"
        ),
        Place::PostProcessor => format!(
            "source \"null\" \"fz\" {{\n  communicator = \"none\"\n}}\nbuild {{\n  sources = [\"source.null.fz\"]\n  post-processor \"{name}\" {{\n{body}\n  }}\n}}\n"
        ),
        Place::DataSource => format!(
            "data \"{name}\" \"fz\" {{\n{body}\n}}\nlocals {{\n  fz = data.{name}.fz\n}}\nsource \"null\" \"fz\" {{\n  communicator = \"none\"\n}}\nbuild {{\n  sources = [\"source.null.fz\"]\n}}\n"
        ),
    }
}

/// Load, plan and check a template through the real registry; the
/// diagnostics' summaries and details.
fn check(dir: &std::path::Path, text: &str, selection: &Selection) -> Vec<(String, String)> {
    let path = dir.join("fuzz.pkr.hcl");
    if std::fs::write(&path, text).is_err() {
        return Vec::new();
    }
    // With the registry, so data sources are checked too (not run:
    // `evaluate_data_sources` stays off, as in `kiln validate`).
    let (cfg, mut diags) = config::load_with(&path, &LoadOptions::default(), Some(&Registry));
    if let Some(cfg) = cfg {
        let (_, pdiags) = plan::plan(&cfg, selection, &Registry);
        let _ = pdiags.render(cfg.sources());
        diags.extend(pdiags);
        let _ = diags.render(cfg.sources());
    }
    diags
        .errors()
        .map(|d| (d.summary.clone(), d.detail.clone()))
        .collect()
}

/// A value that the decoder accepts for the kind, for field discovery.
fn neutral(kind: Kind) -> &'static str {
    match kind {
        Kind::Duration => "\"1s\"",
        Kind::Size => "\"1G\"",
        Kind::Port | Kind::Count => "1",
        Kind::Url => "\"http://127.0.0.1/x\"",
        Kind::Path => "\"x\"",
        Kind::Glob => "[\"x\"]",
    }
}

fn targets(dir: &std::path::Path) -> Vec<Target> {
    let mut out = Vec::new();
    for kind in PLACES {
        for name in registered(kind) {
            let Some((_, _, minimal)) = MINIMAL.iter().find(|(k, n, _)| *k == kind && *n == name)
            else {
                panic!("{name} ({kind:?}) has no minimal body in MINIMAL: add one");
            };
            let errors = check(
                dir,
                &template(kind, name, &body(minimal, &[])),
                &Selection::default(),
            );
            if errors.iter().any(|(s, _)| s == "Builder not available") {
                continue;
            }
            assert!(
                errors.is_empty(),
                "the minimal body of {name} ({kind:?}) does not validate: {errors:?}"
            );
            let mut fields = Vec::new();
            for (fk, names) in CANDIDATES {
                for f in *names {
                    let text =
                        template(kind, name, &body(minimal, &[(f, neutral(*fk).to_owned())]));
                    let errors = check(dir, &text, &Selection::default());
                    if !errors.iter().any(|(s, _)| s == "Unsupported argument") {
                        fields.push((*fk, *f));
                    }
                }
            }
            out.push(Target {
                kind,
                name,
                minimal,
                fields,
            });
        }
    }
    out
}

/// An HCL string literal holding `s` exactly (no interpolation), as the
/// template layer renders strings.
fn hcl_string(s: &str) -> String {
    kiln_template::value::format_hcl(&kiln_template::Value::string(s))
}

fn edge_strings(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Duration => vec![
            "",
            "0",
            "-0",
            "-1s",
            "1.5h",
            ".5s",
            "1e3s",
            "9223372036854775807ns",
            "9223372036854775808ns",
            "2562047h",
            "2562047h47m16.854775807s",
            "2562048h",
            "3000000000000000h",
            "-3000000000000000h",
            "99999999999999999999999999h",
            "1h-1m",
            "µs",
            "5d",
        ],
        Kind::Size => vec![
            "",
            "0",
            "-1",
            "-1G",
            "1.5G",
            "18446744073709551615",
            "18446744073709551616",
            "9223372036854775807M",
            "99999999999999999999999T",
            "1E",
            "1PiB",
            "G",
            "0x10",
        ],
        Kind::Port => vec!["", "-1", "0", "65535", "65536", "99999999999999999999"],
        Kind::Count => vec!["", "-1", "0", "1e30", "4294967296", "NaN"],
        Kind::Url => vec![
            "",
            "://",
            "http://",
            "http://[::1",
            "http://127.0.0.1:99999/x",
            "file://",
            "file:",
            "sha256:",
            "file:///nonexistent/\u{0}",
            "rootfs:",
            "docker://",
            "oci:",
            "md5:zz",
            "none",
            "smb://x/y",
            "%zz",
            "http://a@b@c/",
            "2026-13-45T99:99:99Z",
        ],
        Kind::Path => vec![
            "",
            "/",
            ".",
            "..",
            "../..",
            "~",
            "~nouser/x",
            "/dev/null",
            "a\u{0}b",
            "*",
            "[",
        ],
        Kind::Glob => vec!["", "*", "**", "[", "[!", "{a,", "\\", "[z-a]", "a[]b"],
    }
}

/// An HCL value for a field of `kind`: mostly strings of the kind's shape,
/// sometimes numbers, lists, `null` or a value of another type.
fn value(kind: Kind) -> BoxedStrategy<String> {
    let shaped: BoxedStrategy<String> = match kind {
        Kind::Duration => "[-+]?([0-9]{0,22}(\\.[0-9]{0,10})?(ns|us|µs|ms|s|m|h|d)?){1,3}".boxed(),
        Kind::Size => "[-+]?[0-9]{0,24}(\\.[0-9]{0,4})?([KMGTPEkmgtpeb]|[KMGTPE]i?B)?".boxed(),
        Kind::Port | Kind::Count => "[-+]?[0-9]{0,21}".boxed(),
        Kind::Url => "(https?|file|ftp|smb|docker|oci|rootfs|sha256|md5|)(:|://)?[a-z0-9.:\\[\\]@%/?#=_-]{0,30}"
            .boxed(),
        Kind::Path => "[a-z0-9./~\\\\ *?\\[\\]{}-]{0,30}".boxed(),
        Kind::Glob => "[a-z*?\\[\\]{},.!\\\\-]{0,12}".boxed(),
    };
    let edges = prop::sample::select(edge_strings(kind)).prop_map(str::to_owned);
    let string =
        prop_oneof![4 => shaped, 3 => edges, 1 => "\\PC{0,16}"].prop_map(|s| hcl_string(&s));
    let number = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (-70_000i64..70_000).prop_map(|n| n.to_string()),
        Just("1e30".to_owned()),
        Just("-0.5".to_owned()),
        Just("18446744073709551616".to_owned()),
    ];
    let scalar = prop_oneof![5 => string, 3 => number, 1 => Just("null".to_owned()), 1 => Just("true".to_owned())];
    prop_oneof![
        6 => scalar.clone(),
        2 => prop::collection::vec(scalar, 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
        1 => Just("{ a = 1 }".to_owned()),
    ]
    .boxed()
}

/// Drive `cases` generated bodies per component through the registry.
fn fuzz_targets(targets: &[Target], dir: &std::path::Path, cases: u32, seed: u64) {
    for t in targets {
        if t.fields.is_empty() {
            continue;
        }
        let fields = t.fields.clone();
        let picks = prop::collection::vec(
            prop::sample::select(fields).prop_flat_map(|(k, f)| value(k).prop_map(move |v| (f, v))),
            1..6,
        );
        let sel = prop::collection::vec("[a-z.*?\\[\\]{}!-]{0,10}", 0..2);
        let mut runner = TestRunner::new(RunnerConfig {
            cases,
            rng_seed: RngSeed::Fixed(seed),
            failure_persistence: None,
            ..RunnerConfig::default()
        });
        let result = runner.run(&(picks, sel), |(picks, only)| {
            let text = template(t.kind, t.name, &body(t.minimal, &picks));
            let selection = Selection {
                only,
                except: Vec::new(),
            };
            check(dir, &text, &selection);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{} ({:?}) panicked: {e}", t.name, t.kind);
        }
    }
}

#[test]
fn every_component_has_its_fields_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = targets(dir.path());
    let has = |name: &str, kind: Place, field: &str| {
        targets
            .iter()
            .find(|t| t.name == name && t.kind == kind)
            .is_some_and(|t| t.fields.iter().any(|(_, f)| *f == field))
    };
    // Guards against a discovery that silently finds nothing to fuzz.
    for (name, field) in [
        ("qemu", "disk_size"),
        ("qemu", "memory"),
        ("qemu", "shutdown_timeout"),
        ("qemu", "http_port_min"),
        ("qemu", "iso_url"),
        ("qemu", "cpus"),
        ("qemu", "ssh_timeout"),
        ("oci", "image"),
        ("docker", "image"),
        ("null", "ssh_port"),
    ] {
        assert!(has(name, Place::Builder, field), "{name}.{field}");
    }
    assert!(has("shell", Place::Provisioner, "pause_before"));
    assert!(has("shell", Place::Provisioner, "start_retry_timeout"));
    assert!(has("shell-local", Place::Provisioner, "only"));
    assert!(has("compress", Place::PostProcessor, "compression_level"));
    assert!(has("http", Place::DataSource, "url"));
}

#[test]
fn edge_values_never_panic_a_component() {
    let dir = tempfile::tempdir().expect("tempdir");
    for t in targets(dir.path()) {
        for (kind, field) in &t.fields {
            for v in edge_strings(*kind) {
                let text = template(t.kind, t.name, &body(t.minimal, &[(field, hcl_string(v))]));
                check(dir.path(), &text, &Selection::default());
            }
        }
    }
}

#[test]
fn generated_values_never_panic_a_component() {
    let dir = tempfile::tempdir().expect("tempdir");
    let targets = targets(dir.path());
    fuzz_targets(&targets, dir.path(), 64, 0x6b69_6c6e);
}
