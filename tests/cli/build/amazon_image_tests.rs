//! The test stage on amazon-ebs, against moto: the new AMI is tested on
//! an instance launched from it (temporary key pair and security group
//! of its own; the test sshd, which takes any key, stands in for the
//! instance at `ssh_host`) before it is copied to another region or
//! shared. A failing test deregisters the AMI, deletes its snapshots and
//! leaves nothing in the account.

use super::build;
use crate::project;
use kiln_builder_amazon::testing::{Moto, ACCESS_KEY, SECRET_KEY};
use kiln_communicator_ssh::testing::TestSshd;

const SOURCE_AMI: &str = "ami-1e749f67";

fn template(m: &Moto, d: &TestSshd, check: &str) -> String {
    format!(
        r#"
source "amazon-ebs" "ami" {{
  access_key                 = "{ACCESS_KEY}"
  secret_key                 = "{SECRET_KEY}"
  region                     = "us-east-1"
  custom_endpoint_ec2        = "{endpoint}"
  skip_credential_validation = true
  skip_metadata_api_check    = true
  instance_type              = "t2.micro"
  source_ami                 = "{SOURCE_AMI}"
  ami_name                   = "kiln-tested-{{{{timestamp}}}}"
  ami_regions                = ["us-west-2"]
  ami_users                  = ["123456789012"]
  ssh_host                   = "127.0.0.1"
  ssh_port                   = {port}
  ssh_username               = "root"
  ssh_timeout                = "30s"
  aws_polling {{
    delay_seconds = 1
    max_attempts  = 30
  }}
}}
build {{
  sources = ["source.amazon-ebs.ami"]
  provisioner "shell" {{ inline = ["echo provisioned"] }}
  test "smoke" {{
    check "launched-from" {{
      command       = "echo test instance ${{build.ID}} from ${{build.SourceAMI}}"
      expect_stdout = "from ami-"
    }}
    check "app" {{
      command = "{check}"
    }}
  }}
  post-processor "manifest" {{ output = "manifest.json" }}
}}
"#,
        endpoint = m.endpoint(),
        port = d.port,
    )
}

/// The AMI ids RunInstances launched, in order.
fn launched_from(m: &Moto) -> Vec<String> {
    m.recorded_action("RunInstances")
        .iter()
        .filter_map(|r| r.form().get("ImageId").cloned())
        .collect()
}

/// The AMI the build created, from its "AMI: ami-…" line.
fn created_ami(stdout: &str) -> String {
    let re = regex::Regex::new(r"AMI: (ami-[0-9a-f]+)").expect("regex");
    re.captures(stdout)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| panic!("no AMI created:\n{stdout}"))
}

#[test]
fn an_ami_is_tested_on_an_instance_of_its_own_before_it_is_copied() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let d = TestSshd::start_accepting_any_key()
        .expect("the test sshd must start (run scripts/setup.sh as root)");
    let dir = project(&[("t.pkr.hcl", &template(&m, &d, "true"))]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}\nsshd: {}", d.log());
    let ami = created_ami(&r.stdout);
    // The build instance came from the source AMI, the test instance from
    // the new one; the checks saw the test instance.
    assert_eq!(launched_from(&m), [SOURCE_AMI.to_owned(), ami.clone()]);
    assert!(
        out.contains("test instance i-") && out.contains(&format!("from {ami}")),
        "{out}"
    );
    // Tested before the copy and the launch permissions.
    let tested = out.find("Test 'smoke' passed").expect("test passed");
    let copied = out.find("Copying/Encrypting AMI").unwrap_or(usize::MAX);
    let shared = out.find("Modifying attributes on AMI").expect("shared");
    assert!(tested < copied.min(shared), "{out}");
    assert_eq!(m.own_images("us-west-2").expect("images").len(), 1, "{out}");
    assert!(dir.path().join("manifest.json").exists());
    // Only the AMIs and their snapshots stay.
    let clean = |out: &str| {
        for region in ["us-east-1", "us-west-2"] {
            let inv = m.inventory(region).expect("inventory");
            assert!(
                inv.instances.is_empty()
                    && inv.key_pairs.is_empty()
                    && inv.security_groups.is_empty(),
                "{region}: {inv:?}\n{out}"
            );
        }
    };
    clean(&out);

    // `kiln test` re-tests an AMI it is given, launching it once more.
    let r = crate::kiln_env(dir.path(), &["test", "-color=false", "t.pkr.hcl"], "", &[]);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 1, "{all}");
    assert!(all.contains("-artifact=ami-"), "{all}");
    let copy = m.own_images("us-west-2").expect("images")[0].0.clone();
    let r = crate::kiln_env(
        dir.path(),
        &[
            "test",
            "-color=false",
            &format!("-artifact=us-west-2:{copy}"),
            "t.pkr.hcl",
        ],
        "",
        &[],
    );
    let all = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{all}");
    assert!(all.contains(&format!("from {copy}")), "{all}");
    assert_eq!(launched_from(&m).last(), Some(&copy));
    assert_eq!(m.own_images("us-east-1").expect("images").len(), 1);
    clean(&all);
}

#[test]
fn a_failing_test_deregisters_the_ami_and_publishes_nothing() {
    let m = Moto::start_recording().expect("moto_server must start (run scripts/setup.sh)");
    let d = TestSshd::start_accepting_any_key()
        .expect("the test sshd must start (run scripts/setup.sh as root)");
    let dir = project(&[(
        "t.pkr.hcl",
        &template(&m, &d, "test -e /nonexistent/kiln-app"),
    )]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 1, "{out}");
    let ami = created_ami(&r.stdout);
    assert_eq!(launched_from(&m), [SOURCE_AMI.to_owned(), ami.clone()]);
    for line in [
        "Test 'smoke' failed: check \"app\" failed: exit status 1, expected 0",
        "Tests: 0 passed, 1 failed",
        "Deleting the artifact that failed its test",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    assert!(!out.contains("Copying/Encrypting AMI"), "{out}");
    assert!(!out.contains("Modifying attributes on AMI"), "{out}");
    assert!(
        !out.contains("Error deregistering AMI"),
        "deleted twice: {out}"
    );
    assert!(!dir.path().join("manifest.json").exists());
    for region in ["us-east-1", "us-west-2"] {
        let inv = m.inventory(region).expect("inventory");
        assert!(inv.is_empty(), "{region}: {inv:?}\n{out}");
    }
    assert!(
        m.recorded_action("ModifyImageAttribute").is_empty(),
        "launch permissions were granted"
    );
}

#[test]
fn wait_for_cloud_init_runs_before_provisioning() {
    // The test sshd's machine has no cloud-init: the step runs and says so.
    assert!(
        !std::path::Path::new("/usr/bin/cloud-init").exists(),
        "this machine has cloud-init: the test needs one without"
    );
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    let d = TestSshd::start_accepting_any_key()
        .expect("the test sshd must start (run scripts/setup.sh as root)");
    let t = template(&m, &d, "true").replace(
        "  ssh_timeout                = \"30s\"\n",
        "  ssh_timeout                = \"30s\"\n  wait_for_cloud_init        = true\n",
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let r = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 1, "{out}");
    assert!(out.contains("Waiting for cloud-init to finish..."), "{out}");
    assert!(
        out.contains("cloud-init is not installed in the guest (wait_for_cloud_init needs it)"),
        "{out}"
    );
    assert!(!out.contains("provisioned"), "{out}");
    assert!(m.inventory("us-east-1").expect("inventory").is_empty());
}

#[test]
fn ctrl_c_during_the_test_instance_leaves_nothing_in_the_account() {
    let m = Moto::start().expect("moto_server must start (run scripts/setup.sh)");
    let d = TestSshd::start_accepting_any_key()
        .expect("the test sshd must start (run scripts/setup.sh as root)");
    let dir = project(&[(
        "t.pkr.hcl",
        &template(&m, &d, "sleep 120 # kiln-amazon-ctrl-c"),
    )]);
    let mut cmd = crate::kiln_command();
    cmd.args(["build", "-color=false", "t.pkr.hcl"])
        .current_dir(dir.path());
    let r = super::interrupt_at_line(
        cmd,
        "Check 'app'",
        std::time::Duration::from_secs(120),
        || (),
    );
    let (code, out) = (r.code, r.out);
    assert!(r.reached, "the check never started:\n{out}");
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("Terminating the source AWS instance..."),
        "{out}"
    );
    for region in ["us-east-1", "us-west-2"] {
        let inv = m.inventory(region).expect("inventory");
        assert!(inv.is_empty(), "{region}: {inv:?}\n{out}");
    }
    assert_eq!(
        crate::build::processes_mentioning("kiln-amazon-ctrl-c"),
        Vec::<String>::new(),
        "the check's command survived"
    );
}
