use super::*;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, Generated};
use std::io::Read;
use std::path::Path;
use std::process::Command;

fn info() -> BuildInfo {
    BuildInfo {
        name: "file.f".into(),
        source_name: "f".into(),
        builder_type: "file".into(),
        run_uuid: "u".into(),
        ..BuildInfo::default()
    }
}

struct Ran {
    result: Result<PostProcessed, BuildError>,
    ui: RecordingUi,
}

fn run_with(config: CompressConfig, input: &Artifact, cancel: &Cancel) -> Ran {
    let ui = RecordingUi::default();
    let generated = Generated::new();
    let info = info();
    let ctx = PostProcessCtx {
        info: &info,
        ui: &ui,
        cancel,
        generated: &generated,
        attestor: None,
    };
    let result = Compress::from(config).post_process(&ctx, input);
    Ran { result, ui }
}

fn run(config: CompressConfig, input: &Artifact) -> Ran {
    run_with(config, input, &Cancel::new())
}

fn output(dir: &Path, name: &str) -> CompressConfig {
    CompressConfig {
        output: Some(format!("{}/{name}", dir.display())),
        ..CompressConfig::default()
    }
}

/// `sub/out.txt` holding "hello world\n", as in the Packer runs recorded.
fn hello(dir: &Path) -> Artifact {
    let file = dir.join("sub/out.txt");
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, "hello world\n").unwrap();
    fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    Artifact::new("packer.file", "File", "Stored file").with_files(vec![file])
}

/// Several MiB that compress, so parallel blocks are exercised.
fn big(dir: &Path, name: &str, len: usize) -> PathBuf {
    let mut v = Vec::with_capacity(len);
    let mut x: u32 = 7;
    while v.len() < len {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        v.extend_from_slice(format!("line {} of kiln\n", x >> 20).as_bytes());
    }
    v.truncate(len);
    let p = dir.join(name);
    fs::write(&p, v).unwrap();
    p
}

/// Stdout of a tool. scripts/setup.sh installs every one of them, so a
/// missing tool fails the test rather than skipping the check.
fn tool(cmd: &str, args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} (installed by scripts/setup.sh): {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

fn artifact(r: Ran) -> Artifact {
    let p = r.result.unwrap();
    assert!(
        !p.keep_input && !p.force_keep,
        "Packer's compress returns keep=false, force=false"
    );
    p.artifact.unwrap()
}

fn left_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_default_is_packers_gzipped_tar() {
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    let ran = run(output(dir.path(), DEFAULT_OUTPUT), &input);
    let says = ran.ui.of("say");
    let a = artifact(ran);
    let target = dir.path().join("packer_f_file");
    let t = target.display();
    let cores = std::thread::available_parallelism().unwrap().get();
    let unit = if cores == 1 { "core" } else { "cores" };
    assert_eq!(
        says,
        [
            format!("Using pgzip compression with {cores} {unit} for {t}"),
            format!("Tarring {t} with pgzip"),
            format!("Archive {t} completed"),
        ]
    );
    assert_eq!(a.builder_id, "packer.post-processor.compress");
    assert_eq!(a.id, "");
    assert_eq!(a.description, format!("compressed artifacts in: {t}"));
    assert_eq!(a.files, std::slice::from_ref(&target));
    let bytes = fs::read(&target).unwrap();
    assert_eq!(&bytes[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    let sum = crate::digest::digest_reader(&bytes[..], &[crate::digest::HashKind::Sha256]).unwrap();
    assert_eq!(a.sha256.get(&target), sum.first());
    let listing = tool("tar", &["-tvzf", &t.to_string()]).unwrap();
    let listing = String::from_utf8(listing).unwrap();
    assert!(listing.starts_with("-rw-------"), "{listing}");
    assert!(
        listing.trim_end().ends_with(" 1970-01-01 00:00 out.txt"),
        "{listing}"
    );
}

#[test]
fn tar_headers_match_packers() {
    // Packer 1.6.6's header for sub/out.txt (0600, 12 bytes): GNU magic,
    // base name, mtime 0, zero device numbers.
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    let a = artifact(run(output(dir.path(), "x.tar"), &input));
    let tar = fs::read(&a.files[0]).unwrap();
    assert_eq!(tar.len(), 2048);
    assert_eq!(&tar[..8], b"out.txt\0");
    assert_eq!(&tar[100..108], b"0000600\0");
    assert_eq!(&tar[124..136], b"00000000014\0");
    assert_eq!(&tar[136..148], b"00000000000\0");
    assert_eq!(tar[156], b'0');
    assert_eq!(&tar[257..265], b"ustar  \0");
    assert_eq!(&tar[329..337], b"0000000\0");
    assert_eq!(&tar[512..524], b"hello world\n");
    let owners = owners::Owners::load();
    let uid = fs::metadata(&input.files[0])
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap();
    let uname = owners.user(uid);
    assert_eq!(&tar[265..265 + uname.len()], uname.as_bytes());
}

#[test]
fn several_files_in_a_tar_gz_read_back_with_tar() {
    let dir = tempfile::tempdir().unwrap();
    let a = big(dir.path(), "a.img", 3 << 20);
    let b = big(dir.path(), "b.img", 100_000);
    let input = Artifact::new("x", "y", "z").with_files(vec![a.clone(), b.clone()]);
    let out = artifact(run(output(dir.path(), "o/x.tar.gz"), &input));
    let x = dir.path().join("x");
    fs::create_dir(&x).unwrap();
    let o = out.files[0].display().to_string();
    if tool("tar", &["-xzf", &o, "-C", &x.display().to_string()]).is_some() {
        assert_eq!(fs::read(x.join("a.img")).unwrap(), fs::read(&a).unwrap());
        assert_eq!(fs::read(x.join("b.img")).unwrap(), fs::read(&b).unwrap());
    }
    // One gzip member: a single-member decoder gets all of it.
    let mut back = Vec::new();
    let mut d = flate2::read::GzDecoder::new(File::open(&out.files[0]).unwrap());
    d.read_to_end(&mut back).unwrap();
    assert_eq!(back.len(), 512 + (3 << 20) + 512 + 100_352 + 1024);
}

#[test]
fn zip_entries_are_the_artifact_paths() {
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    let ran = run(output(dir.path(), "x.zip"), &input);
    assert_eq!(
        ran.ui.of("say")[0],
        format!("Zipping {}/x.zip", dir.path().display())
    );
    let a = artifact(ran);
    let z = a.files[0].display().to_string();
    let name = input.files[0].display().to_string();
    let entry = name.trim_start_matches('/');
    if let Some(listing) = tool("unzip", &["-l", &z]) {
        assert!(String::from_utf8(listing).unwrap().contains(entry));
        assert_eq!(tool("unzip", &["-p", &z, entry]).unwrap(), b"hello world\n");
    }
    let mut archive = zip::ZipArchive::new(File::open(&a.files[0]).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(entry)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, "hello world\n");
}

#[test]
fn a_single_file_is_compressed_as_is() {
    let dir = tempfile::tempdir().unwrap();
    let input = Artifact::new("x", "y", "z").with_files(vec![big(dir.path(), "disk.raw", 600_000)]);
    let want = fs::read(&input.files[0]).unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        ("x.gz", "gzip", &["-dc"]),
        ("x.bgzf", "gzip", &["-dc"]),
        ("x.zst", "zstd", &["-dcq"]),
        ("x.xz", "xz", &["-dc"]),
        ("x.lz4", "lz4", &["-dc"]),
    ];
    for (name, cmd, args) in cases {
        let ran = run(output(dir.path(), name), &input);
        assert_eq!(
            ran.ui.of("say")[1],
            format!(
                "Archiving {} with {}",
                input.files[0].display(),
                cmd_name(name)
            )
        );
        let a = artifact(ran);
        let path = a.files[0].display().to_string();
        let mut args = args.to_vec();
        args.push(&path);
        if let Some(out) = tool(cmd, &args) {
            assert!(out == want, "{name} does not decompress to the input");
        }
    }
    // Without the tools, the crates' own decoders.
    let mut back = Vec::new();
    zstd::stream::read::Decoder::new(File::open(dir.path().join("x.zst")).unwrap())
        .unwrap()
        .read_to_end(&mut back)
        .unwrap();
    assert!(back == want);
}

fn cmd_name(output: &str) -> &'static str {
    match output.rsplit('.').next() {
        Some("gz") => "pgzip",
        Some("bgzf") => "bgzf",
        Some("zst") => "zstd",
        Some("xz") => "xz",
        Some("lz4") => "lz4",
        _ => "",
    }
}

#[test]
fn tar_zst_and_tar_xz_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    for (name, flag) in [
        ("x.tar.zst", "--zstd"),
        ("x.tar.xz", "-J"),
        ("x.tar.lz4", "--lz4"),
    ] {
        let a = artifact(run(output(dir.path(), name), &input));
        let p = a.files[0].display().to_string();
        if flag == "--lz4" {
            if let Some(out) = tool("lz4", &["-dc", &p]) {
                assert_eq!(&out[..8], b"out.txt\0");
            }
            continue;
        }
        if let Some(listing) = tool("tar", &[flag, "-tf", &p]) {
            assert_eq!(listing, b"out.txt\n", "{name}");
        }
    }
}

#[test]
fn plain_compression_wants_exactly_one_file() {
    // Packer: "Can only have 1 input file when not using tar/zip. Found 2
    // files: [a b]".
    let dir = tempfile::tempdir().unwrap();
    let a = big(dir.path(), "a", 10);
    let b = big(dir.path(), "b", 10);
    let input = Artifact::new("x", "y", "z").with_files(vec![a.clone(), b.clone()]);
    let err = run(output(dir.path(), "x.gz"), &input)
        .result
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "Can only have 1 input file when not using tar/zip. Found 2 files: [{} {}]",
            a.display(),
            b.display()
        )
    );
    assert_eq!(left_in(dir.path()), ["a", "b"], "nothing created");
}

#[test]
fn an_existing_output_is_replaced_and_no_temp_is_left() {
    // Packer's compress truncates the output whether or not -force is set.
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    fs::write(dir.path().join("x.tar"), "old").unwrap();
    artifact(run(output(dir.path(), "x.tar"), &input));
    assert_eq!(fs::metadata(dir.path().join("x.tar")).unwrap().len(), 2048);
    assert_eq!(left_in(dir.path()), ["sub", "x.tar"]);
}

#[test]
fn a_cancelled_build_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = Artifact::new("x", "y", "z").with_files(vec![big(dir.path(), "a", 1 << 20)]);
    let cancel = Cancel::new();
    cancel.cancel();
    let r = run_with(output(dir.path(), "x.tar.gz"), &input, &cancel);
    assert!(r.result.err().unwrap().is_cancelled());
    assert_eq!(left_in(dir.path()), ["a"]);
}

#[test]
fn errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Artifact::new("x", "y", "z").with_files(vec![dir.path().join("nope")]);
    let e = run(output(dir.path(), "x.tar"), &missing)
        .result
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.starts_with("Error creating tar: Unable to read file "),
        "{e}"
    );
    let e = run(output(dir.path(), "x.gz"), &missing)
        .result
        .err()
        .unwrap()
        .to_string();
    assert!(e.starts_with("Failed to open source file "), "{e}");
    let a_dir = Artifact::new("x", "y", "z").with_files(vec![dir.path().to_owned()]);
    let e = run(output(dir.path(), "y.tar"), &a_dir)
        .result
        .err()
        .unwrap()
        .to_string();
    assert!(e.ends_with("is a directory"), "{e}");
    assert!(!dir.path().join("x.tar").exists() && !dir.path().join("y.tar").exists());
}

#[test]
fn levels_follow_packer() {
    use Algorithm::*;
    assert_eq!(level(Some(Gzip), None).unwrap(), 6);
    assert_eq!(level(Some(Gzip), Some(0)).unwrap(), 6);
    assert_eq!(level(Some(Gzip), Some(-1)).unwrap(), 6);
    assert_eq!(level(Some(Gzip), Some(20)).unwrap(), 9);
    assert_eq!(level(Some(Zstd), Some(20)).unwrap(), 20);
    assert_eq!(level(Some(Zstd), None).unwrap(), 3);
    assert_eq!(level(None, Some(1)).unwrap(), 1);
    assert!(level(Some(Gzip), Some(-5)).is_err());
}

#[test]
fn validation() {
    assert!(CompressConfig::default().validate().is_empty());
    let bad = CompressConfig {
        output: Some("{{ nofunc }}".into()),
        format: Some("7z".into()),
        compression_level: Some(-2),
    };
    let fields: Vec<_> = bad.validate().into_iter().map(|p| p.field).collect();
    assert_eq!(
        fields,
        [Some("output"), Some("format"), Some("compression_level")]
    );
}
