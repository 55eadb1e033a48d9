use super::*;
use kiln_core::component::Validate;
use kiln_core::ui::RecordingUi;
use kiln_core::{BuildInfo, Cancel, Generated};
use std::collections::BTreeMap;
use std::io::Read;

fn info() -> BuildInfo {
    BuildInfo {
        name: "qemu.vm".into(),
        source_name: "vm".into(),
        builder_type: "qemu".into(),
        run_uuid: "u".into(),
        ..BuildInfo::default()
    }
}

/// A qcow2 header (all `qemu-img` and the box need) of `virtual_size`.
fn qcow2(path: &Path, virtual_size: u64) {
    let mut head = vec![0u8; 512];
    head[..4].copy_from_slice(b"QFI\xfb");
    head[4..8].copy_from_slice(&3u32.to_be_bytes());
    head[24..32].copy_from_slice(&virtual_size.to_be_bytes());
    std::fs::write(path, head).unwrap();
}

fn qemu_artifact(disk: &Path, size: &str, accel: &str) -> Artifact {
    let mut a = Artifact::new("transcend.qemu", "VM", "VM files").with_files(vec![disk.into()]);
    let name = disk.file_name().unwrap().to_string_lossy().into_owned();
    a.state.insert("diskName".into(), name.into());
    a.state.insert("diskType".into(), "qcow2".into());
    a.state.insert("diskSize".into(), size.into());
    a.state.insert("domainType".into(), accel.into());
    a
}

struct Ran {
    result: Result<PostProcessed, BuildError>,
    ui: RecordingUi,
}

fn run(config: VagrantConfig, input: &Artifact) -> Ran {
    let ui = RecordingUi::default();
    let generated = Generated::new();
    let info = info();
    let cancel = Cancel::new();
    let ctx = PostProcessCtx {
        info: &info,
        ui: &ui,
        cancel: &cancel,
        generated: &generated,
        attestor: None,
    };
    let result = Vagrant::from(config).post_process(&ctx, input);
    Ran { result, ui }
}

fn output_in(dir: &Path) -> Option<String> {
    Some(format!(
        "{}/out/{{{{ .BuildName }}}}_{{{{ .Provider }}}}.box",
        dir.display()
    ))
}

/// The entries of a box, in archive order, whatever its compression.
fn entries(path: &Path) -> Vec<(String, Vec<u8>, u32)> {
    let bytes = std::fs::read(path).unwrap();
    let reader: Box<dyn Read> = if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(&bytes[..]))
    } else {
        Box::new(&bytes[..])
    };
    let mut archive = tar::Archive::new(reader);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().display().to_string();
            let mode = e.header().mode().unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (name, data, mode)
        })
        .collect()
}

fn text(entries: &[(String, Vec<u8>, u32)], name: &str) -> String {
    let (_, data, _) = entries.iter().find(|(n, _, _)| n == name).unwrap();
    String::from_utf8(data.clone()).unwrap()
}

#[test]
fn sizes_are_read_as_the_plugin_reads_them() {
    assert_eq!(disk::size_in_bytes("40960M"), Some(40960 << 20));
    assert_eq!(disk::size_in_bytes("10240"), Some(10240 << 20));
    assert_eq!(disk::size_in_bytes("2g"), Some(2 << 30));
    assert_eq!(disk::size_in_bytes("1T"), Some(1 << 40));
    assert_eq!(disk::size_in_bytes("512K"), Some(512 << 10));
    assert_eq!(disk::size_in_bytes("7b"), Some(7));
    for bad in ["", "G", "abc", "10X", "-1G", "1.5G", " "] {
        assert_eq!(disk::size_in_bytes(bad), None, "{bad:?}");
    }
}

#[test]
fn virtual_size_is_whole_gib_rounded_up() {
    let mib = |m: u128| m << 20;
    assert_eq!(disk::gib_rounded_up(mib(40960)), 40);
    assert_eq!(disk::gib_rounded_up(mib(1025)), 2);
    assert_eq!(disk::gib_rounded_up(mib(1)), 1);
    assert_eq!(disk::gib_rounded_up((1 << 30) + 1), 2);
    assert_eq!(disk::gib_rounded_up(0), 0);
    // The largest diskSize the plugin reads does not overflow.
    let huge = disk::size_in_bytes(&format!("{}E", u64::MAX)).unwrap();
    assert_eq!(disk::gib_rounded_up(huge), u128::from(u64::MAX) << 30);
}

#[test]
fn metadata_is_go_encoder_json() {
    let m = metadata::render(&[
        ("provider", serde_json::json!("libvirt")),
        ("format", serde_json::json!("qcow2")),
        ("virtual_size", serde_json::json!(40)),
    ]);
    assert_eq!(
        String::from_utf8(m).unwrap(),
        "{\"format\":\"qcow2\",\"provider\":\"libvirt\",\"virtual_size\":40}\n"
    );
}

#[test]
fn the_vagrantfile_frames_provider_and_custom_parts() {
    assert_eq!(
        vagrantfile::compose(&libvirt::vagrantfile("qemu"), "# mine"),
        "\n# The contents below were provided by the Packer Vagrant post-processor\n\
         \nVagrant.configure(\"2\") do |config|\n  config.vm.provider :libvirt do |libvirt|\n    libvirt.driver = \"qemu\"\n  end\nend\n\
         \n\n# The contents below (if any) are custom contents provided by the\n\
         # Packer template during image build.\n# mine\n"
    );
    assert_eq!(
        docker::vagrantfile("kiln/x:1"),
        "\nVagrant.configure(\"2\") do |config|\n\tconfig.vm.provider :docker do |docker, override|\n\t\tdocker.image = \"kiln/x:1\"\n\tend\nend\n"
    );
}

#[test]
fn a_qemu_artifact_becomes_a_libvirt_box() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("packer-vm");
    qcow2(&disk, 1 << 30);
    let input = qemu_artifact(&disk, "1537M", "tcg");
    let r = run(
        VagrantConfig {
            output: output_in(dir.path()),
            ..VagrantConfig::default()
        },
        &input,
    );
    let out = r.result.unwrap();
    assert!(!out.keep_input && out.force_keep);
    let a = out.artifact.unwrap();
    let target = dir.path().join("out/vm_libvirt.box");
    assert_eq!(a.builder_id, BUILDER_ID);
    assert_eq!(a.id, "libvirt");
    assert_eq!(a.files, vec![target.clone()]);
    assert_eq!(
        a.description,
        format!("'libvirt' provider box: {}", target.display())
    );
    let bytes = std::fs::read(&target).unwrap();
    assert!(bytes.starts_with(&[0x1f, 0x8b]), "gzip by default");
    let sum = crate::digest::digest_reader(&bytes[..], &[crate::digest::HashKind::Sha256]).unwrap();
    assert_eq!(a.sha256.get(&target), sum.first());

    let e = entries(&target);
    let names: Vec<&str> = e.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["Vagrantfile", "box.img", "metadata.json"]);
    assert!(e.iter().all(|(_, _, mode)| *mode == 0o644));
    assert_eq!(e[1].1, std::fs::read(&disk).unwrap());
    // 1537 MiB is more than 1 GiB: 2.
    assert_eq!(
        text(&e, "metadata.json"),
        "{\"format\":\"qcow2\",\"provider\":\"libvirt\",\"virtual_size\":2}\n"
    );
    assert!(text(&e, "Vagrantfile").contains("libvirt.driver = \"qemu\""));
    assert_eq!(
        r.ui.of("say"),
        ["Creating Vagrant box for 'libvirt' provider"]
    );
    assert!(r
        .ui
        .of("message")
        .contains(&format!("Copying from artifact: {}", disk.display())));
}

#[test]
fn a_disk_larger_than_disk_size_is_not_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("d.qcow2");
    qcow2(&disk, 5 << 30);
    let r = run(
        VagrantConfig {
            output: output_in(dir.path()),
            ..VagrantConfig::default()
        },
        &qemu_artifact(&disk, "1024M", "kvm"),
    );
    let a = r.result.unwrap().artifact.unwrap();
    let e = entries(&a.files[0]);
    assert!(text(&e, "metadata.json").contains("\"virtual_size\":5"));
    assert!(text(&e, "Vagrantfile").contains("libvirt.driver = \"kvm\""));
}

#[test]
fn an_artifice_qcow2_is_a_libvirt_box_sized_from_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a disk").unwrap();
    let disk = dir.path().join("disk.qcow2");
    qcow2(&disk, 3 << 30);
    let input = Artifact::new(crate::artifice::BUILDER_ID, "", "files")
        .with_files(vec![notes.clone(), disk.clone()]);
    assert_eq!(Provider::for_artifact(&input).unwrap(), Provider::Libvirt);
    let r = run(
        VagrantConfig {
            output: output_in(dir.path()),
            compression_level: Some(0),
            architecture: Some("amd64".into()),
            ..VagrantConfig::default()
        },
        &input,
    );
    let a = r.result.unwrap().artifact.unwrap();
    let bytes = std::fs::read(&a.files[0]).unwrap();
    assert!(!bytes.starts_with(&[0x1f, 0x8b]), "level 0 is a plain tar");
    let e = entries(&a.files[0]);
    assert_eq!(
        text(&e, "metadata.json"),
        "{\"architecture\":\"amd64\",\"format\":\"qcow2\",\"provider\":\"libvirt\",\"virtual_size\":3}\n"
    );
    assert!(text(&e, "Vagrantfile").contains("libvirt.driver = \"kvm\""));

    // Without a qcow2 file there is no provider to guess.
    let only_notes =
        Artifact::new(crate::artifice::BUILDER_ID, "", "files").with_files(vec![notes]);
    let err = Provider::for_artifact(&only_notes).unwrap_err().to_string();
    assert!(err.contains("provider_override"), "{err}");
    assert!(err.contains("notes.txt"), "{err}");
}

#[test]
fn includes_custom_vagrantfile_and_an_included_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("packer-vm");
    qcow2(&disk, 1 << 30);
    let extra = dir.path().join("README.md");
    std::fs::write(&extra, "read me").unwrap();
    let meta = dir.path().join("metadata.json");
    std::fs::write(&meta, "{\"provider\":\"libvirt\",\"mine\":1}").unwrap();
    let tpl = dir.path().join("Vagrantfile.tpl");
    std::fs::write(
        &tpl,
        "# {{ .BuildName }} for {{ .Provider }} ({{ .ArtifactId }})",
    )
    .unwrap();
    let config = VagrantConfig {
        output: output_in(dir.path()),
        include: Some(vec![
            extra.display().to_string(),
            meta.display().to_string(),
        ]),
        vagrantfile_template: Some(tpl.display().to_string()),
        ..VagrantConfig::default()
    };
    assert!(config.validate().is_empty());
    let r = run(config, &qemu_artifact(&disk, "1G", "kvm"));
    let a = r.result.unwrap().artifact.unwrap();
    let e = entries(&a.files[0]);
    let names: Vec<&str> = e.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["README.md", "Vagrantfile", "box.img", "metadata.json"]
    );
    assert_eq!(text(&e, "README.md"), "read me");
    assert_eq!(
        text(&e, "metadata.json"),
        "{\"provider\":\"libvirt\",\"mine\":1}"
    );
    assert!(
        text(&e, "Vagrantfile").ends_with("# vm for libvirt (VM)\n"),
        "{}",
        text(&e, "Vagrantfile")
    );
    let messages = r.ui.of("message");
    assert!(messages.contains(&format!("Copying from include: {}", extra.display())));
    assert!(messages.contains(&format!("Using custom Vagrantfile: {}", tpl.display())));
    assert!(messages.contains(&"Compressing: box.img".to_owned()));
}

#[test]
fn a_missing_include_fails_before_any_box_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("packer-vm");
    qcow2(&disk, 1 << 30);
    let r = run(
        VagrantConfig {
            output: output_in(dir.path()),
            include: Some(vec![dir.path().join("gone").display().to_string()]),
            ..VagrantConfig::default()
        },
        &qemu_artifact(&disk, "1G", "kvm"),
    );
    let err = r.result.err().unwrap().to_string();
    assert!(err.contains("Error copying include file"), "{err}");
    assert!(err.contains("gone"), "{err}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn docker_artifacts_become_docker_boxes() {
    let dir = tempfile::tempdir().unwrap();
    let tagged = Artifact::new("packer.post-processor.docker-tag", "kiln/app:1", "tagged");
    let r = run(
        VagrantConfig {
            output: output_in(dir.path()),
            ..VagrantConfig::default()
        },
        &tagged,
    );
    let out = r.result.unwrap();
    assert!(out.keep_input, "the box names the image: it stays");
    let a = out.artifact.unwrap();
    assert_eq!(a.files, vec![dir.path().join("out/vm_docker.box")]);
    let e = entries(&a.files[0]);
    let names: Vec<&str> = e.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["Vagrantfile", "metadata.json"]);
    assert_eq!(text(&e, "metadata.json"), "{\"provider\":\"docker\"}\n");
    assert!(text(&e, "Vagrantfile").contains("docker.image = \"kiln/app:1\""));

    // A pushed image is named by its digest: with its repository it can
    // be pulled.
    let mut pushed = Artifact::new("packer.post-processor.docker-push", "sha256:abc", "pushed");
    pushed
        .state
        .insert("repository".into(), "registry:5000/app".into());
    let part = docker::process(&pushed).unwrap();
    assert!(part
        .vagrantfile
        .contains("docker.image = \"registry:5000/app@sha256:abc\""));
    let empty = Artifact::new("packer.post-processor.docker-import", "", "");
    assert!(matches!(
        docker::process(&empty),
        Err(VagrantError::NoImageId)
    ));
}

#[test]
fn file_artifacts_keep_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("payload.bin");
    std::fs::write(&f, "payload").unwrap();
    let input = Artifact::new("packer.file", "File", "Stored file").with_files(vec![f]);
    let r = run(
        VagrantConfig {
            output: output_in(dir.path()),
            ..VagrantConfig::default()
        },
        &input,
    );
    let a = r.result.unwrap().artifact.unwrap();
    let e = entries(&a.files[0]);
    assert_eq!(text(&e, "payload.bin"), "payload");
    assert_eq!(text(&e, "metadata.json"), "{\"provider\":\"file\"}\n");
}

#[test]
fn unknown_artifacts_and_providers_are_clear_errors() {
    let null = Artifact::new("fnoeding.null", "Null", "");
    let err = Provider::for_artifact(&null).unwrap_err().to_string();
    assert!(
        err.starts_with("Unknown artifact type, can't build box: fnoeding.null"),
        "{err}"
    );
    let ami = Artifact::new("mitchellh.amazonebs", "us-east-1:ami-1", "");
    let err = Provider::for_artifact(&ami).unwrap_err().to_string();
    assert!(
        err.contains("mitchellh.amazonebs") && err.contains("aws"),
        "{err}"
    );
    // The run says it too, naming the builder.
    let r = run(VagrantConfig::default(), &null);
    assert!(r
        .result
        .err()
        .unwrap()
        .to_string()
        .contains("fnoeding.null"));

    let err = Provider::from_name("vbox").unwrap_err().to_string();
    assert!(
        err.starts_with(
            "The given provider_override vbox is not valid. Please choose from one of aws, azure,"
        ),
        "{err}"
    );
    let err = Provider::from_name("virtualbox").unwrap_err().to_string();
    assert!(err.contains("not supported by kiln"), "{err}");
    assert_eq!(Provider::from_name("file").unwrap(), Provider::File);
}

#[test]
fn provider_override_wins_over_the_builder() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("d.qcow2");
    qcow2(&f, 1 << 30);
    let input = qemu_artifact(&f, "1G", "kvm");
    let r = run(
        VagrantConfig {
            output: output_in(dir.path()),
            provider_override: Some("file".into()),
            ..VagrantConfig::default()
        },
        &input,
    );
    let a = r.result.unwrap().artifact.unwrap();
    assert_eq!(a.id, "file");
    let e = entries(&a.files[0]);
    assert!(e.iter().any(|(n, _, _)| n == "d.qcow2"));
}

#[test]
fn a_qemu_artifact_without_its_disk_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("other");
    qcow2(&f, 1 << 30);
    let mut input = qemu_artifact(&f, "1G", "kvm");
    input.state.insert("diskName".into(), "packer-vm".into());
    let err = run(VagrantConfig::default(), &input)
        .result
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("packer-vm") && err.contains("other"), "{err}");

    let mut input = qemu_artifact(&f, "lots", "kvm");
    input.state.insert("domainType".into(), "kvm".into());
    let err = libvirt::process(&RecordingUi::default(), &input)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("\"lots\""), "{err}");
    let input = qemu_artifact(&f, "1G", "whpx");
    let err = libvirt::process(&RecordingUi::default(), &input)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(err, "Unknown libvirt domain type: whpx");
}

#[test]
fn config_checks_follow_the_plugin() {
    let fields = |c: VagrantConfig| -> BTreeMap<&'static str, String> {
        c.validate()
            .into_iter()
            .map(|p| (p.field.unwrap(), p.message))
            .collect()
    };
    assert!(fields(VagrantConfig::default()).is_empty());
    let p = fields(VagrantConfig {
        compression_level: Some(10),
        vagrantfile_template: Some("/nonexistent/Vagrantfile.tpl".into()),
        provider_override: Some("nope".into()),
        output: Some("{{ .X ".into()),
        ..VagrantConfig::default()
    });
    assert_eq!(
        p["compression_level"],
        "Invalid compression level. Expected an integer from -1 to 9."
    );
    assert_eq!(
        p["vagrantfile_template"],
        "vagrantfile_template '/nonexistent/Vagrantfile.tpl' does not exist"
    );
    assert!(p["provider_override"].contains("nope"));
    assert!(p["output"].starts_with("invalid 'output': "));
    // A template the build makes is only needed when the box is.
    assert!(fields(VagrantConfig {
        vagrantfile_template: Some("/nonexistent/Vagrantfile.tpl".into()),
        vagrantfile_template_generated: Some(true),
        ..VagrantConfig::default()
    })
    .is_empty());
    for (level, want) in [
        (None, Some(6)),
        (Some(-1), Some(6)),
        (Some(0), None),
        (Some(9), Some(9)),
    ] {
        let c = VagrantConfig {
            compression_level: level,
            ..VagrantConfig::default()
        };
        assert_eq!(c.level(), want, "{level:?}");
    }
}

#[test]
fn the_default_output_name() {
    // Rendered, not written: the default is relative to the working
    // directory.
    let ctx = output_template::context(
        &info(),
        &Generated::new(),
        &[("BuildName", "vm"), ("Provider", "docker")],
    );
    assert_eq!(
        output_template::render(DEFAULT_OUTPUT, &ctx).unwrap(),
        "packer_vm_docker.box"
    );
}

#[test]
fn an_override_applies_to_its_provider_only() {
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("packer-vm");
    qcow2(&disk, 1 << 30);
    let overrides = BTreeMap::from([(
        "libvirt".to_owned(),
        config::ProviderFields {
            compression_level: Some(0),
            output: Some(format!("{}/libvirt.box", dir.path().display())),
            ..config::ProviderFields::default()
        },
    )]);
    let config = VagrantConfig {
        output: output_in(dir.path()),
        overrides: Some(overrides),
        ..VagrantConfig::default()
    };
    assert!(config.validate().is_empty());
    let a = run(config.clone(), &qemu_artifact(&disk, "1G", "kvm"))
        .result
        .unwrap()
        .artifact
        .unwrap();
    assert_eq!(a.files, vec![dir.path().join("libvirt.box")]);
    assert!(!std::fs::read(&a.files[0])
        .unwrap()
        .starts_with(&[0x1f, 0x8b]));
    // A docker box does not see the libvirt override.
    let tagged = Artifact::new("packer.post-processor.docker-tag", "kiln/app:1", "tagged");
    let a = run(config, &tagged).result.unwrap().artifact.unwrap();
    assert_eq!(a.files, vec![dir.path().join("out/vm_docker.box")]);
    assert!(std::fs::read(&a.files[0])
        .unwrap()
        .starts_with(&[0x1f, 0x8b]));
}

#[test]
fn override_problems_name_the_provider() {
    let bad = |k: &str, f: config::ProviderFields| VagrantConfig {
        overrides: Some(BTreeMap::from([(k.to_owned(), f)])),
        ..VagrantConfig::default()
    };
    let p = bad("vbox", config::ProviderFields::default()).validate();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].field, Some("override"));
    assert!(
        p[0].message
            .starts_with("override: The given provider_override vbox"),
        "{}",
        p[0].message
    );
    let p = bad(
        "libvirt",
        config::ProviderFields {
            compression_level: Some(42),
            ..config::ProviderFields::default()
        },
    )
    .validate();
    assert_eq!(p.len(), 1);
    assert_eq!(
        p[0].message,
        "override.libvirt: Invalid compression level. Expected an integer from -1 to 9."
    );
}
