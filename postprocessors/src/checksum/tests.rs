use super::*;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, Generated};

fn info() -> BuildInfo {
    BuildInfo {
        name: "file.f".into(),
        source_name: "f".into(),
        builder_type: "file".into(),
        run_uuid: "u".into(),
        ..BuildInfo::default()
    }
}

fn run(config: ChecksumConfig, input: &Artifact) -> Result<PostProcessed, BuildError> {
    let ui = RecordingUi::default();
    let cancel = Cancel::new();
    let generated = Generated::new();
    let info = info();
    let ctx = PostProcessCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
        attestor: None,
    };
    Checksum::from(config).post_process(&ctx, input)
}

fn hello(dir: &Path) -> Artifact {
    let file = dir.join("sub/out.txt");
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, "hello world\n").unwrap();
    Artifact::new("packer.file", "File", "Stored file").with_files(vec![file])
}

fn in_dir(dir: &Path, template: &str, types: Option<&[&str]>) -> ChecksumConfig {
    ChecksumConfig {
        checksum_types: types.map(|t| t.iter().map(|s| (*s).to_owned()).collect()),
        output: Some(format!("{}/{template}", dir.display())),
    }
}

const ALL: &[&str] = &["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

#[test]
fn writes_packers_files_and_artifact() {
    // Packer 1.6.6 with checksum_types = all six and the default output.
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    let out = run(in_dir(dir.path(), DEFAULT_OUTPUT, Some(ALL)), &input).unwrap();
    assert!(out.keep_input && out.force_keep);
    let a = out.artifact.unwrap();
    assert_eq!(a.builder_id, "packer.post-processor.checksum");
    assert_eq!(a.id, "");
    let sums: Vec<_> = ALL
        .iter()
        .map(|t| dir.path().join(format!("packer_f_file_{t}.checksum")))
        .collect();
    let mut want_files = input.files.clone();
    want_files.extend(sums.iter().cloned());
    assert_eq!(a.files, want_files);
    let names: Vec<_> = want_files.iter().map(|f| f.display().to_string()).collect();
    assert_eq!(
        a.description,
        format!("Created artifact from files: {}", names.join(", "))
    );
    assert_eq!(
        fs::read_to_string(&sums[0]).unwrap(),
        "6f5902ac237024bdd0c176cb93063dc4\tout.txt\n"
    );
    assert_eq!(
        fs::read_to_string(&sums[3]).unwrap(),
        "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447\tout.txt\n"
    );
    assert_eq!(
        a.sha256.get(&input.files[0]).map(String::as_str),
        Some("a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447")
    );
}

#[test]
fn a_second_run_appends_and_lists_only_new_files() {
    // Packer appends the line again and its artifact lists only the input.
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    let config = in_dir(dir.path(), DEFAULT_OUTPUT, None);
    run(config.clone(), &input).unwrap();
    let a = run(config, &input).unwrap().artifact.unwrap();
    assert_eq!(a.files, input.files);
    assert_eq!(
        fs::read_to_string(dir.path().join("packer_f_file_md5.checksum")).unwrap(),
        "6f5902ac237024bdd0c176cb93063dc4\tout.txt\n".repeat(2)
    );
}

#[test]
fn one_file_for_several_types_and_no_value_fields() {
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    let a = run(
        in_dir(
            dir.path(),
            "sums/{{.BuildName}}.{{.Foo}}",
            Some(&["md5", "sha1"]),
        ),
        &input,
    )
    .unwrap()
    .artifact
    .unwrap();
    let sums = dir.path().join("sums/f.<no value>");
    assert_eq!(a.files, [input.files[0].clone(), sums.clone()]);
    assert_eq!(
        fs::read_to_string(sums).unwrap(),
        "6f5902ac237024bdd0c176cb93063dc4\tout.txt\n22596363b3de40b06f981fb85d82312e8c0ed511\tout.txt\n"
    );
}

#[test]
fn an_empty_type_list_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    let a = run(in_dir(dir.path(), "x", Some(&[])), &input)
        .unwrap()
        .artifact
        .unwrap();
    assert_eq!(a.files, input.files);
    assert!(!dir.path().join("x").exists());
}

#[test]
fn a_known_sha256_is_not_recomputed() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = hello(dir.path());
    input.sha256.insert(input.files[0].clone(), "feed".into());
    run(in_dir(dir.path(), "S", Some(&["sha256"])), &input).unwrap();
    assert_eq!(
        fs::read_to_string(dir.path().join("S")).unwrap(),
        "feed\tout.txt\n"
    );
}

#[test]
fn a_missing_input_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = Artifact::new("b", "i", "d").with_files(vec![dir.path().join("nope")]);
    let err = run(in_dir(dir.path(), "S", None), &input).err().unwrap();
    assert!(err.to_string().starts_with("unable to open file "), "{err}");
    assert!(!dir.path().join("S").exists());
}

#[test]
fn parallel_builds_share_one_sums_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    let config = in_dir(dir.path(), "SHA256SUMS", Some(&["sha256"]));
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let (config, input) = (config.clone(), input.clone());
            std::thread::spawn(move || run(config, &input).unwrap())
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let text = fs::read_to_string(dir.path().join("SHA256SUMS")).unwrap();
    assert_eq!(text.lines().count(), 6);
}

#[test]
fn the_sums_file_reads_back_with_sha256sum() {
    let dir = tempfile::tempdir().unwrap();
    let input = hello(dir.path());
    run(in_dir(dir.path(), "sub/SUMS", Some(&["sha256"])), &input).unwrap();
    let out = std::process::Command::new("sha256sum")
        .args(["-c", "SUMS"])
        .current_dir(dir.path().join("sub"))
        .output()
        .expect("coreutils sha256sum");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn validation_messages_are_packers() {
    let c = ChecksumConfig {
        checksum_types: Some(vec!["foo".into(), "SHA256".into(), "md5".into()]),
        output: Some("{{ .X ".into()),
    };
    let msgs: Vec<_> = c.validate().into_iter().map(|p| p.message).collect();
    assert_eq!(
        msgs[..2],
        [
            "Unrecognized checksum type: foo",
            "Unrecognized checksum type: SHA256"
        ]
    );
    assert_eq!(msgs.len(), 3);
    assert!(ChecksumConfig::default().validate().is_empty());
}
