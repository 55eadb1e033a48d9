//! `kiln version`

use kiln_template::config::PACKER_COMPAT_VERSION;

pub fn run(_args: &[String]) -> anyhow::Result<i32> {
    println!(
        "kiln v{} (templates: Packer {PACKER_COMPAT_VERSION} compatible)",
        env!("CARGO_PKG_VERSION")
    );
    Ok(0)
}
