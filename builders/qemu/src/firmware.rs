//! `firmware` (a `-bios` file) and EFI boot through OVMF's pflash pair
//! (`efi_boot`, `efi_firmware_code`, `efi_firmware_vars`,
//! `efi_drop_efivars`, as later Packer versions name them).

use std::path::{Path, PathBuf};

/// Where Debian's `ovmf` package puts the firmware, newest layout first.
const CODE: &[&str] = &[
    "/usr/share/OVMF/OVMF_CODE_4M.fd",
    "/usr/share/OVMF/OVMF_CODE.fd",
    "/usr/share/ovmf/OVMF.fd",
];
const VARS: &[&str] = &[
    "/usr/share/OVMF/OVMF_VARS_4M.fd",
    "/usr/share/OVMF/OVMF_VARS.fd",
];

pub fn ovmf_code() -> Option<PathBuf> {
    first_existing(CODE)
}

pub fn ovmf_vars() -> Option<PathBuf> {
    first_existing(VARS)
}

fn first_existing(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// The pflash drives for EFI boot: read-only code, and a private copy of
/// the variable store (`vars_copy`, made by the run step) unless
/// `efi_drop_efivars` says to boot without one.
pub fn pflash_drives(code: &Path, vars_copy: Option<&Path>) -> Vec<String> {
    let mut out = vec![format!(
        "file={},if=pflash,unit=0,format=raw,readonly=on",
        code.display()
    )];
    if let Some(vars) = vars_copy {
        out.push(format!(
            "file={},if=pflash,unit=1,format=raw",
            vars.display()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_read_only_and_vars_writable() {
        let d = pflash_drives(Path::new("/c.fd"), Some(Path::new("/o/efivars.fd")));
        assert_eq!(
            d,
            [
                "file=/c.fd,if=pflash,unit=0,format=raw,readonly=on",
                "file=/o/efivars.fd,if=pflash,unit=1,format=raw"
            ]
        );
        assert_eq!(pflash_drives(Path::new("/c.fd"), None).len(), 1);
    }
}
