use super::*;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, Generated};
use std::fs;
use std::path::Path;

fn info(run_uuid: &str, force: bool) -> BuildInfo {
    BuildInfo {
        name: "file.f".into(),
        source_name: "f".into(),
        builder_type: "file".into(),
        run_uuid: run_uuid.into(),
        force,
        ..BuildInfo::default()
    }
}

fn run(
    config: ManifestConfig,
    info: &BuildInfo,
    input: &Artifact,
) -> Result<PostProcessed, BuildError> {
    let ui = RecordingUi::default();
    let cancel = Cancel::new();
    let generated = Generated::new();
    let ctx = PostProcessCtx {
        info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
        attestor: None,
    };
    Manifest::from(config).post_process(&ctx, input)
}

fn at(dir: &Path, name: &str) -> ManifestConfig {
    ManifestConfig {
        output: Some(dir.join(name).to_string_lossy().into_owned()),
        ..ManifestConfig::default()
    }
}

fn read(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

const HELLO_SHA256: &str = "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447";

#[test]
fn writes_packers_format_byte_for_byte() {
    // Packer 1.6.6, file builder writing "hello world\n" to sub/out.txt,
    // `post-processor "manifest" { strip_path = true, strip_time = true }`
    // wrote this (kiln adds the sha256 line).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sub/out.txt");
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, "hello world\n").unwrap();
    let input = Artifact::new("packer.file", "File", "Stored file").with_files(vec![file]);
    let config = ManifestConfig {
        strip_path: Some(true),
        strip_time: Some(true),
        ..at(dir.path(), "m2.json")
    };
    let out = run(
        config,
        &info("d684920c-d1f2-a4bd-9b34-9627091fd42b", false),
        &input,
    )
    .unwrap();
    assert!(out.keep_input && out.force_keep);
    assert_eq!(out.artifact.unwrap().id, "File");
    let want = format!(
        r#"{{
  "builds": [
    {{
      "name": "f",
      "builder_type": "file",
      "files": [
        {{
          "name": "out.txt",
          "size": 12,
          "sha256": "{HELLO_SHA256}"
        }}
      ],
      "artifact_id": "File",
      "packer_run_uuid": "d684920c-d1f2-a4bd-9b34-9627091fd42b",
      "custom_data": null
    }}
  ],
  "last_run_uuid": "d684920c-d1f2-a4bd-9b34-9627091fd42b"
}}"#
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("m2.json")).unwrap(),
        want
    );
}

#[test]
fn a_null_build_has_no_files_and_a_build_time() {
    let dir = tempfile::tempdir().unwrap();
    let input = Artifact::new("fnoeding.null", "Null", "Did not export anything");
    run(at(dir.path(), "m.json"), &info("u1", false), &input).unwrap();
    let m = read(&dir.path().join("m.json"));
    let b = &m["builds"][0];
    assert_eq!(b["files"], serde_json::Value::Null);
    assert_eq!(b["custom_data"], serde_json::Value::Null);
    assert_eq!(b["artifact_id"], "Null");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = b["build_time"].as_u64().unwrap();
    assert!(t <= now && now - t < 60);
    let keys: Vec<_> = b.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "name",
            "builder_type",
            "build_time",
            "files",
            "artifact_id",
            "packer_run_uuid",
            "custom_data"
        ]
    );
}

#[test]
fn full_paths_and_known_digests() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("disk.img");
    fs::write(&file, "hello world\n").unwrap();
    let mut input =
        Artifact::new("b", "id", "d").with_files(vec![file.clone(), dir.path().join("gone")]);
    input.sha256.insert(file.clone(), "cafe".into());
    run(at(dir.path(), "m.json"), &info("u", false), &input).unwrap();
    let files = &read(&dir.path().join("m.json"))["builds"][0]["files"];
    assert_eq!(files[0]["name"], file.to_string_lossy().as_ref());
    assert_eq!(
        files[0]["sha256"], "cafe",
        "the producer's digest is trusted"
    );
    assert_eq!(
        files[1]["size"], 0,
        "Packer records a missing file with size 0"
    );
    assert!(files[1].get("sha256").is_none());
}

#[test]
fn custom_data_is_rendered_and_escaped_as_packer_does() {
    // Packer: custom_data = { a = "b", c = "{{ build_name }}-{{ .ID }}" }
    // with no generated ID wrote "c": "f-\u003cno value\u003e".
    let dir = tempfile::tempdir().unwrap();
    let config = ManifestConfig {
        custom_data: Some(BTreeMap::from([
            ("c".to_owned(), "{{ build_name }}-{{ .ID }}".to_owned()),
            ("a".to_owned(), "b".to_owned()),
        ])),
        ..at(dir.path(), "m.json")
    };
    run(config, &info("u", false), &Artifact::new("b", "i", "d")).unwrap();
    let text = fs::read_to_string(dir.path().join("m.json")).unwrap();
    assert!(
        text.contains("\"custom_data\": {\n        \"a\": \"b\",\n        \"c\": \"f-\\u003cno value\\u003e\"\n      }"),
        "{text}"
    );
}

/// The binary's Ui masks the run's sensitive values; this one masks
/// `s3cr3t`.
struct MaskingUi;

impl kiln_core::Ui for MaskingUi {
    fn say(&self, _: &str) {}
    fn message(&self, _: &str) {}
    fn error(&self, _: &str) {}
    fn machine(&self, _: &str, _: &[&str]) {}
    fn ask(&self, _: &str) -> Option<String> {
        None
    }
    fn progress(&self, _: &str, _: Option<u64>) -> Box<dyn kiln_core::Progress> {
        Box::new(kiln_core::ui::NoProgress)
    }
    fn mask(&self, text: &str) -> String {
        text.replace("s3cr3t", "<sensitive>")
    }
}

#[test]
fn sensitive_values_never_reach_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out-s3cr3t.txt");
    fs::write(&file, "x").unwrap();
    let config = ManifestConfig {
        custom_data: Some(BTreeMap::from([
            ("t".to_owned(), "s3cr3t".to_owned()),
            ("bearer".to_owned(), "Bearer s3cr3t".to_owned()),
            ("n".to_owned(), "plain".to_owned()),
            ("key-s3cr3t".to_owned(), "v".to_owned()),
        ])),
        ..at(dir.path(), "m.json")
    };
    let input = Artifact::new("b", "id-s3cr3t", "d").with_files(vec![file]);
    let info = info("u", false);
    let cancel = Cancel::new();
    let generated = Generated::new();
    let ctx = PostProcessCtx {
        info: &info,
        ui: &MaskingUi,
        cancel: &cancel,
        generated: &generated,
        attestor: None,
    };
    Manifest::from(config).post_process(&ctx, &input).unwrap();
    let text = fs::read_to_string(dir.path().join("m.json")).unwrap();
    assert!(!text.contains("s3cr3t"), "{text}");
    let b = &read(&dir.path().join("m.json"))["builds"][0];
    let custom = &b["custom_data"];
    assert_eq!(custom["t"], "<sensitive>");
    assert_eq!(custom["bearer"], "<sensitive>");
    assert_eq!(custom["n"], "plain");
    assert_eq!(custom["key-<sensitive>"], "v");
    assert_eq!(b["artifact_id"], "id-<sensitive>");
    let name = b["files"][0]["name"].as_str().unwrap();
    assert!(name.ends_with("/out-<sensitive>.txt"), "{name}");
}

#[test]
fn appends_across_runs_and_force_starts_over() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    let a = Artifact::new("b", "i", "d");
    let uuids = |p: &Path| -> Vec<String> {
        read(p)["builds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["packer_run_uuid"].as_str().unwrap().to_owned())
            .collect()
    };
    run(at(dir.path(), "m.json"), &info("r1", false), &a).unwrap();
    run(at(dir.path(), "m.json"), &info("r2", false), &a).unwrap();
    assert_eq!(uuids(&path), ["r1", "r2"]);
    // -force, new run: the file starts over.
    run(at(dir.path(), "m.json"), &info("r3", true), &a).unwrap();
    assert_eq!(uuids(&path), ["r3"]);
    // -force, same run (a second build of it): appended.
    run(at(dir.path(), "m.json"), &info("r3", true), &a).unwrap();
    assert_eq!(uuids(&path), ["r3", "r3"]);
    assert_eq!(read(&path)["last_run_uuid"], "r3");
}

#[test]
fn appending_keeps_a_packer_written_manifest_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    let packer = "{\n  \"builds\": [\n    {\n      \"name\": \"x\",\n      \"builder_type\": \"null\",\n      \"build_time\": 1795255582,\n      \"files\": null,\n      \"artifact_id\": \"Null\",\n      \"packer_run_uuid\": \"8c254a87-f426-3632-8895-eef5b459de3e\",\n      \"custom_data\": null\n    }\n  ],\n  \"last_run_uuid\": \"8c254a87-f426-3632-8895-eef5b459de3e\"\n}";
    fs::write(&path, packer).unwrap();
    run(
        at(dir.path(), "m.json"),
        &info("r2", false),
        &Artifact::new("b", "i", "d"),
    )
    .unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let first_entry_end = packer.find("\n    }").unwrap();
    assert_eq!(text[..first_entry_end], packer[..first_entry_end]);
    assert_eq!(read(&path)["builds"].as_array().unwrap().len(), 2);
}

#[test]
fn a_corrupt_manifest_fails_like_packer_and_is_left_alone() {
    // Packer 1.6.6: "Post-processor failed: Unable to parse content from
    // m2.json: invalid character 'g' looking for beginning of value".
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.json");
    fs::write(&path, "garbage\n").unwrap();
    let err = run(
        at(dir.path(), "m.json"),
        &info("r", false),
        &Artifact::new("b", "i", "d"),
    )
    .err()
    .unwrap();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "Unable to parse content from {}: ",
            path.display()
        )),
        "{msg}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "garbage\n");
    fs::write(&path, r#"{"builds": 3}"#).unwrap();
    assert!(run(
        at(dir.path(), "m.json"),
        &info("r", false),
        &Artifact::new("b", "i", "d")
    )
    .is_err());
    // An empty file is a new manifest, as for Packer.
    fs::write(&path, "").unwrap();
    run(
        at(dir.path(), "m.json"),
        &info("r", false),
        &Artifact::new("b", "i", "d"),
    )
    .unwrap();
    assert_eq!(read(&path)["builds"].as_array().unwrap().len(), 1);
}

#[test]
fn parallel_builds_of_one_run_all_land() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let config = at(dir.path(), "m.json");
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let config = config.clone();
                std::thread::spawn(move || {
                    let mut bi = info("same-run", true);
                    bi.source_name = format!("b{i}");
                    run(config, &bi, &Artifact::new("b", format!("id{i}"), "d")).unwrap();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let m = read(&dir.path().join("m.json"));
        let mut names: Vec<_> = m["builds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        let want: Vec<_> = (0..8).map(|i| format!("b{i}")).collect();
        assert_eq!(names, want, "round {round}");
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["m.json"], "no lock or temp file left");
    }
}

#[test]
fn output_may_use_build_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = ManifestConfig {
        output: Some(format!(
            "{}/m-{{{{build_name}}}}.json",
            dir.path().display()
        )),
        ..ManifestConfig::default()
    };
    run(config, &info("u", false), &Artifact::new("b", "i", "d")).unwrap();
    assert!(dir.path().join("m-f.json").is_file());
}

#[test]
fn validation_checks_templates() {
    let bad = ManifestConfig {
        output: Some("{{ .X ".into()),
        custom_data: Some(BTreeMap::from([("k".to_owned(), "{{ nope }}".to_owned())])),
        ..ManifestConfig::default()
    };
    let problems = bad.validate();
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[0].field, Some("output"));
    assert!(ManifestConfig::default().validate().is_empty());
}
