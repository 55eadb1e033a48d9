//! `kiln verify ARTIFACT -key cosign.pub`: check an artifact kiln built
//! against its signature and provenance (see `attest::verify`).

use super::flags::{self, flag, Flag, Kind};
use crate::attest::ec2;
use crate::attest::verify::{self, Passed, Target, VerifyError};
use kiln_attest::PublicKey;
use std::path::Path;

pub const HELP: &str = "Usage: kiln verify [options] ARTIFACT

  Checks an artifact kiln built: its digest against the signature beside
  it (ARTIFACT.sig), the provenance (ARTIFACT.intoto.jsonl) against the
  key, and that the provenance is about this artifact. Prints each check;
  exits 1 naming the first that fails.

  ARTIFACT is a disk image or other file, an OCI layout directory
  (DIR or DIR:TAG), docker://REGISTRY/REPO:TAG (or @sha256:...: its cosign
  signature and attached provenance are read from the registry), or
  REGION:ami-... (its record ami-....ami.json and the attestation files
  are looked for in the current directory, or -dir; once they verify, EC2
  is asked whether the AMI still exists, made of the recorded snapshots,
  with the AWS SDK's usual credentials, region endpoint and
  AWS_ENDPOINT_URL).

  A registry login for docker:// comes from KILN_REGISTRY_USERNAME and
  KILN_REGISTRY_PASSWORD, else the registry's entry in the containers auth
  file ($REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json) or
  Docker's config.json, else none.

Options:
  -key=cosign.pub               The public key (required).
  -provenance=FILE              The provenance, when it is not beside the artifact.
  -dir=DIR                      Where an AMI's record and attestations are.
  -offline                      For an AMI: check the signed record only, not EC2.
  -catalog=BUCKET               Also check that the newest version of BUCKET in the
                                catalog (KILN_CATALOG) with this artifact is not revoked.
";

const SPEC: &[Flag] = &[
    flag("key", Kind::Value),
    flag("provenance", Kind::Value),
    flag("dir", Kind::Value),
    flag("catalog", Kind::Value),
    flag("offline", Kind::Bool),
];

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    if super::asks_for_help(args) {
        print!("{HELP}");
        return Ok(0);
    }
    let p = match flags::parse_interspersed(args, SPEC) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    let [artifact] = p.args.as_slice() else {
        return super::usage_error("verify takes one argument: the artifact", HELP);
    };
    let Some(key_path) = p.values("key").last() else {
        return super::usage_error("verify needs -key (a cosign public key)", HELP);
    };
    let key = match PublicKey::load(Path::new(key_path)) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("Error: {e}");
            return Ok(1);
        }
    };
    let bucket = p.values("catalog").last().map(str::to_owned);
    // The catalog is asked last, and only once the artifact itself
    // verified: what passed before a revoked version is still printed.
    let with_catalog = |r: Result<(Passed, (String, String)), VerifyError>| match r {
        Err(e) => (Vec::new(), Some(e)),
        Ok((mut passed, id)) => match bucket.as_deref().map(|b| verify::catalog(b, &id)) {
            Some(Err(e)) => (passed, Some(e)),
            Some(Ok(line)) => {
                passed.push(line);
                (passed, None)
            }
            None => (passed, None),
        },
    };
    if let Some(image) = artifact.strip_prefix("docker://") {
        let r =
            verify::registry(image, &key).map(|(p, d)| (p, (d, crate::catalog::LOCAL.to_owned())));
        return Ok(report(artifact, with_catalog(r)));
    }
    let target = match ami_argument(artifact) {
        Some((region, ami)) => {
            let dir = p.values("dir").last().unwrap_or(".");
            Target::ami(region, ami, Path::new(dir))
        }
        None => Target::local(artifact),
    };
    let offline = p.bool("offline");
    let skipped_ec2 = offline && matches!(&target, Ok(t) if t.ami.is_some());
    let result = target.and_then(|t| {
        let passed = t.verify(&key, p.values("provenance").last().map(Path::new))?;
        Ok((passed, t.catalog_id, t.ami.filter(|_| !offline)))
    });
    // EC2 is asked once the record is known to be the build's own; what
    // passed before is printed whatever it answers.
    let result = match result {
        Ok((mut passed, id, Some(ami))) => match ec2::check(&ami) {
            Ok(line) => {
                passed.push(line);
                Ok((passed, id))
            }
            Err(e) => return Ok(report(artifact, (passed, Some(e)))),
        },
        Ok((passed, id, None)) => Ok((passed, id)),
        Err(e) => Err(e),
    };
    let code = report(artifact, with_catalog(result));
    if skipped_ec2 {
        println!("(-offline: EC2 was not asked whether the AMI still exists)");
    }
    Ok(code)
}

fn report(artifact: &str, (passed, failed): (Passed, Option<VerifyError>)) -> i32 {
    for line in passed {
        println!("✓ {line}");
    }
    match failed {
        None => {
            println!("Verified {artifact}");
            0
        }
        Some(e) => {
            eprintln!("✗ {e}");
            eprintln!("Verification of {artifact} failed.");
            1
        }
    }
}

/// `REGION:ami-…`.
fn ami_argument(arg: &str) -> Option<(&str, &str)> {
    let (region, ami) = arg.split_once(':')?;
    (ami.starts_with("ami-") && !region.is_empty() && !Path::new(arg).exists())
        .then_some((region, ami))
}
