//! The `file` provisioner over SSH: uploads and downloads of files and
//! directories with Packer's trailing-slash rules, modes checked on disk.

use super::{says, sshd, with_provisioners};
use crate::build::{build, leftovers};
use crate::project;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o7777
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn uploads_and_downloads_follow_packers_slash_rules_and_keep_modes() {
    let d = sshd();
    let r = d.dir().join("r");
    std::fs::create_dir_all(r.join("up2")).expect("mkdir");
    std::fs::create_dir_all(r.join("up3")).expect("mkdir");
    let r = r.display().to_string();
    let t = with_provisioners(
        &d,
        "",
        &format!(
            r#"  provisioner "file" {{
    source      = "srcdir"
    destination = "{r}/up1"
  }}
  provisioner "file" {{
    source      = "srcdir/"
    destination = "{r}/up2"
  }}
  provisioner "file" {{
    source      = "f.txt"
    destination = "{r}/up3/"
  }}
  provisioner "file" {{
    content     = "hello ${{build.User}}"
    destination = "{r}/content.txt"
  }}
  provisioner "file" {{
    source      = "{r}/up1/"
    destination = "down1/"
    direction   = "download"
  }}
  provisioner "file" {{
    sources     = ["{r}/up3/f.txt", "{r}/content.txt"]
    destination = "down2/"
    direction   = "download"
  }}
  provisioner "file" {{
    source      = "{r}/up3/f.txt"
    destination = "down3/g.txt"
    direction   = "download"
  }}"#
        ),
    );
    let dir = project(&[
        ("t.pkr.hcl", &t),
        ("srcdir/a.txt", "a\n"),
        ("srcdir/sub/b.txt", "b\n"),
        ("f.txt", "f\r\n"),
    ]);
    let p = dir.path();
    chmod(&p.join("srcdir/a.txt"), 0o600);
    chmod(&p.join("srcdir/sub"), 0o750);
    chmod(&p.join("f.txt"), 0o751);
    let tmp = tempfile::tempdir().expect("tmp");
    let run = build(p, tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(
        run.code,
        0,
        "{}{}\nsshd: {}",
        run.stdout,
        run.stderr,
        d.log()
    );
    let says = says(&run.stdout);
    assert_eq!(
        says[3..5],
        [
            format!("Uploading srcdir => {r}/up1"),
            format!("Uploading srcdir/ => {r}/up2"),
        ]
    );
    assert_eq!(says[5], format!("Uploading f.txt => {r}/up3/"));
    assert!(
        says[6].starts_with(&format!(
            "Uploading {}/pkr-file-content",
            tmp.path().display()
        )) && says[6].ends_with(&format!(" => {r}/content.txt")),
        "{says:?}"
    );
    assert_eq!(
        says[7..],
        [
            format!("Downloading {r}/up1/ => down1/"),
            format!("Downloading {r}/up3/f.txt => down2/"),
            format!("Downloading {r}/content.txt => down2/"),
            format!("Downloading {r}/up3/f.txt => down3/g.txt"),
        ]
    );

    let r = Path::new(&r);
    // Without a trailing slash the directory itself lands at the
    // destination; with one, its contents go into it.
    for up in ["up1", "up2"] {
        assert_eq!(read(&r.join(up).join("a.txt")), "a\n");
        assert_eq!(mode(&r.join(up).join("a.txt")), 0o600);
        assert_eq!(mode(&r.join(up).join("sub")), 0o750);
        assert_eq!(read(&r.join(up).join("sub/b.txt")), "b\n");
    }
    assert!(!r.join("up2/srcdir").exists());
    // A file keeps its bytes (no line-end conversion) and its mode.
    assert_eq!(read(&r.join("up3/f.txt")), "f\r\n");
    assert_eq!(mode(&r.join("up3/f.txt")), 0o751);
    assert_eq!(read(&r.join("content.txt")), "hello root");
    // A directory source lands under its own name in the destination.
    assert_eq!(read(&p.join("down1/up1/a.txt")), "a\n");
    assert_eq!(mode(&p.join("down1/up1/a.txt")), 0o600);
    assert_eq!(mode(&p.join("down1/up1/sub")), 0o750);
    assert_eq!(read(&p.join("down1/up1/sub/b.txt")), "b\n");
    // Files go into a destination ending in `/` under their own names.
    assert_eq!(read(&p.join("down2/f.txt")), "f\r\n");
    assert_eq!(read(&p.join("down2/content.txt")), "hello root");
    assert_eq!(mode(&p.join("down2/f.txt")), 0o644);
    assert_eq!(read(&p.join("down3/g.txt")), "f\r\n");
    assert!(
        leftovers(tmp.path()).is_empty(),
        "{:?}",
        leftovers(tmp.path())
    );
    let mut down2 = leftovers(&p.join("down2"));
    down2.sort();
    assert_eq!(down2, ["content.txt", "f.txt"], "temporary files left");
}

#[test]
fn a_failed_download_says_so_and_leaves_no_partial_file() {
    let d = sshd();
    let t = with_provisioners(
        &d,
        "",
        r#"  provisioner "file" {
    source      = "/nonexistent/x"
    destination = "out/"
    direction   = "download"
  }"#,
    );
    let dir = project(&[("t.pkr.hcl", &t)]);
    let tmp = tempfile::tempdir().expect("tmp");
    let run = build(dir.path(), tmp.path(), &["t.pkr.hcl"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let all = format!("{}{}", run.stdout, run.stderr);
    // Packer passes scp's line end on: an empty line follows.
    assert!(
        all.contains("==> null.remote: Download failed: scp: /nonexistent/x: No such file or directory\n==> null.remote:\n"),
        "{all}"
    );
    assert!(leftovers(&dir.path().join("out")).is_empty());
}
