//! ansible on the container builder's sandbox, no Docker daemon: a
//! Packer-style `source "docker"` template (its image a local Debian
//! rootfs, tests/fixtures/cm-rootfs.sh, as there is no registry here),
//! ansible through the adapter, results read back from the committed
//! image with `umoci unpack`; `ansible-local` inside it; Ctrl-C in the
//! middle of a playbook.

use super::direct::{ansible_project, run};
use super::{assert_results, provisioner, SECRET_VARIABLE};
use crate::build::config_management::fixture;
use crate::build::oci::tool;
use crate::project;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn docker_template(rootfs: &Path, provisioners: &str) -> String {
    format!(
        "{SECRET_VARIABLE}source \"docker\" \"debian\" {{\n  image            = \"rootfs:{}\"\n  commit           = true\n  output_directory = \"image\"\n}}\nbuild {{\n  sources = [\"source.docker.debian\"]\n{provisioners}\n}}\n",
        rootfs.display()
    )
}

fn unpack(d: &Path) -> std::path::PathBuf {
    tool(d, "umoci", &["unpack", "--image", "image:latest", "bundle"]);
    d.join("bundle/rootfs")
}

#[test]
fn a_docker_template_runs_ansible_in_the_sandbox_through_the_adapter() {
    let rootfs = fixture("cm-rootfs.sh");
    let p = ansible_project(&docker_template(&rootfs, &provisioner("/opt/result", "")));
    let (code, all) = run(p.path());
    assert_eq!(code, 0, "{all}");
    assert!(
        all.contains("Setting up proxy adapter for Ansible...."),
        "{all}"
    );
    assert!(all.contains("PLAY RECAP"), "{all}");
    let root = unpack(p.path());
    assert_results(&root.join("opt/result"), "debian", "docker");
    assert!(
        root.join("usr/bin/hello").exists(),
        "the package was not installed"
    );
    provenance_names_the_playbook_and_roles(p.path());
    // Nothing of ansible's own is left in the image.
    let leftovers = std::fs::read_dir(root.join("root/.ansible/tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(leftovers, 0);
    rebuilds_use_the_step_cache_until_a_role_changes(p.path());
}

/// The image's provenance lists the playbook and the roles directory as
/// resolved dependencies, with their digests.
fn provenance_names_the_playbook_and_roles(d: &Path) {
    let st = crate::build::supply_chain::statement(&d.join("image.intoto.jsonl"));
    let deps = st["predicate"]["buildDefinition"]["resolvedDependencies"]
        .as_array()
        .unwrap()
        .clone();
    let find = |rel: &str| {
        let uri = format!("file://{}", d.join(rel).display());
        deps.iter()
            .find(|x| x["uri"] == uri.as_str())
            .unwrap_or_else(|| panic!("{uri} is not in {deps:#?}"))
            .clone()
    };
    let playbook = find("playbook.yml");
    assert_eq!(
        playbook["digest"]["sha256"],
        crate::build::supply_chain::sha256_hex(&d.join("playbook.yml")).as_str(),
        "{playbook}"
    );
    assert_eq!(
        playbook["annotations"]["provisioner"], "ansible",
        "{playbook}"
    );
    let roles = find("lib/roles");
    assert!(roles["digest"]["sha256"].is_string(), "{roles}");
}

/// The same template again: the playbook's step comes from the step
/// cache (ansible does not run) and the image is the same; a changed
/// role file under `roles_path` is a miss that names it.
fn rebuilds_use_the_step_cache_until_a_role_changes(d: &Path) {
    let rebuild = || {
        let tmp = tempfile::tempdir().unwrap();
        let r = crate::build::build(d, tmp.path(), &["-force", "-explain-cache", "t.pkr.hcl"]);
        (r.code, format!("{}{}", r.stdout, r.stderr))
    };
    std::fs::remove_dir_all(d.join("bundle")).unwrap();
    let (code, all) = rebuild();
    assert_eq!(code, 0, "{all}");
    assert!(
        all.contains("Step cache 1/1 (provisioner ansible): hit"),
        "{all}"
    );
    assert!(!all.contains("PLAY RECAP"), "ansible ran again: {all}");
    let root = unpack(d);
    assert_results(&root.join("opt/result"), "debian", "docker");

    let role = d.join("lib/roles/kilnrole/tasks/main.yml");
    let text = std::fs::read_to_string(&role).unwrap();
    std::fs::write(
        &role,
        text.replace("from the role", "from the changed role"),
    )
    .unwrap();
    std::fs::remove_dir_all(d.join("bundle")).unwrap();
    let (code, all) = rebuild();
    assert_eq!(code, 0, "{all}");
    assert!(
        all.contains("Step cache 1/1 (provisioner ansible): miss: file lib/roles changed"),
        "{all}"
    );
    assert!(all.contains("PLAY RECAP"), "{all}");
    let root = unpack(d);
    assert_eq!(
        std::fs::read_to_string(root.join("opt/result/role.txt")).unwrap(),
        "from the changed role\n"
    );
}

#[test]
fn ansible_local_runs_the_playbook_inside_the_sandbox() {
    let rootfs = fixture("cm-rootfs.sh");
    let p = project(&[
        (
            "local.yml",
            "- hosts: all\n  gather_facts: false\n  roles:\n    - localrole\n  tasks:\n    - ansible.builtin.copy:\n        content: \"{{ greeting }} {{ packer_build_name }}\\n\"\n        dest: /opt/local.txt\n",
        ),
        (
            "roles/localrole/tasks/main.yml",
            "- ansible.builtin.copy:\n    content: \"role ran\\n\"\n    dest: /opt/role.txt\n",
        ),
        ("group_vars/all.yml", "greeting: hello from group_vars\n"),
        (
            "t.pkr.hcl",
            &docker_template(
                &rootfs,
                "  provisioner \"ansible-local\" {\n    playbook_file = \"local.yml\"\n    role_paths    = [\"roles/localrole\"]\n    group_vars    = \"group_vars\"\n    clean_staging_directory = true\n  }",
            ),
        ),
    ]);
    let (code, all) = run(p.path());
    assert_eq!(code, 0, "{all}");
    assert!(
        all.contains("Executing Ansible: cd /tmp/packer-provisioner-ansible-local/"),
        "{all}"
    );
    let root = unpack(p.path());
    let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap();
    assert_eq!(read("opt/local.txt"), "hello from group_vars debian\n");
    assert_eq!(read("opt/role.txt"), "role ran\n");
    // clean_staging_directory took the uploads away again.
    assert!(
        std::fs::read_dir(root.join("tmp/packer-provisioner-ansible-local"))
            .map(|d| d.count() == 0)
            .unwrap_or(true)
    );
}

#[test]
fn ctrl_c_during_a_playbook_leaves_no_process_and_no_adapter_port() {
    let rootfs = fixture("cm-rootfs.sh");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let p = project(&[
        (
            "slow.yml",
            "- hosts: default\n  gather_facts: false\n  tasks:\n    - ansible.builtin.command: sleep 1005\n",
        ),
        (
            "t.pkr.hcl",
            &docker_template(
                &rootfs,
                &format!(
                    "  provisioner \"ansible\" {{\n    playbook_file = \"slow.yml\"\n    command       = \"{}\"\n    local_port    = {port}\n  }}",
                    super::ansible_bin()
                ),
            ),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let child = crate::kiln_command()
        .args(["build", "-color=false", "t.pkr.hcl"])
        .current_dir(p.path())
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while crate::build::processes_mentioning("sleep 1005").is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the task never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("Cleanly cancelled builds after being interrupted."),
        "{all}"
    );
    assert!(
        crate::build::processes_mentioning("sleep 1005").is_empty(),
        "the task survived"
    );
    assert!(
        crate::build::processes_mentioning("slow.yml").is_empty(),
        "ansible-playbook survived"
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the adapter's port is still open"
    );
}
