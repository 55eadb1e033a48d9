//! `kiln keygen`: an ECDSA P-256 key pair in cosign's formats, as
//! `cosign generate-key-pair` writes it (`cosign.key`, encrypted under
//! `COSIGN_PASSWORD`, and `cosign.pub`).

use super::flags::{self, flag, Flag, Kind};
use kiln_attest::SigningKey;
use std::path::PathBuf;

pub const HELP: &str = "Usage: kiln keygen [options]

  Writes a signing key pair for sign { key = ... } and -sign-key: PREFIX.key
  (encrypted with the password in COSIGN_PASSWORD; empty when unset) and
  PREFIX.pub, in cosign's formats (cosign, skopeo and containers/image
  policies read them).

Options:
  -output-key-prefix=cosign     The files' names without .key/.pub.
  -force                        Replace existing files.
";

const SPEC: &[Flag] = &[
    flag("output-key-prefix", Kind::Value),
    flag("force", Kind::Bool),
];

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    if super::asks_for_help(args) {
        print!("{HELP}");
        return Ok(0);
    }
    let p = match flags::parse(args, SPEC) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    if !p.args.is_empty() {
        return super::usage_error("keygen takes no arguments", HELP);
    }
    let prefix = p
        .values("output-key-prefix")
        .last()
        .unwrap_or("cosign")
        .to_owned();
    let private = PathBuf::from(format!("{prefix}.key"));
    let public = PathBuf::from(format!("{prefix}.pub"));
    if !p.bool("force") {
        for f in [&private, &public] {
            if f.exists() {
                eprintln!("Error: {} exists; use -force to replace it", f.display());
                return Ok(1);
            }
        }
    }
    let password = match std::env::var("COSIGN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!("Warning: COSIGN_PASSWORD is not set: the private key is encrypted with an empty password.");
            String::new()
        }
    };
    let key = SigningKey::generate();
    let pem = key.to_encrypted_pem(password.as_bytes())?;
    kiln_gocompat::atomic::write_file(&private, 0o600, pem.as_bytes())?;
    kiln_gocompat::atomic::write_file(&public, 0o644, key.public().to_pem().as_bytes())?;
    println!("Private key written to {}", private.display());
    println!("Public key written to {}", public.display());
    Ok(0)
}
