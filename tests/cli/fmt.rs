use super::{kiln, project};

const UGLY: &str =
    "source \"null\" \"a\" {\ncommunicator=\"none\"\n  # keep me\n  ssh_port = 22\n}\n";
const PRETTY: &str =
    "source \"null\" \"a\" {\n  communicator = \"none\"\n  # keep me\n  ssh_port = 22\n}\n";

#[test]
fn check_exits_3_and_writes_nothing() {
    let p = project(&[("a.pkr.hcl", UGLY)]);
    let r = kiln(p.path(), &["fmt", "-check", "."], "");
    assert_eq!(r.code, 3);
    assert_eq!(
        std::fs::read_to_string(p.path().join("a.pkr.hcl")).expect("read"),
        UGLY
    );
}

#[test]
fn rewrites_files_keeping_comments() {
    let p = project(&[("a.pkr.hcl", UGLY), ("sub/b.pkr.hcl", UGLY)]);
    let r = kiln(p.path(), &["fmt", "."], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("a.pkr.hcl"));
    assert_eq!(
        std::fs::read_to_string(p.path().join("a.pkr.hcl")).expect("read"),
        PRETTY
    );
    // Not recursive by default.
    assert_eq!(
        std::fs::read_to_string(p.path().join("sub/b.pkr.hcl")).expect("read"),
        UGLY
    );
    let r = kiln(p.path(), &["fmt", "-recursive", "."], "");
    assert_eq!(r.code, 0);
    assert_eq!(
        std::fs::read_to_string(p.path().join("sub/b.pkr.hcl")).expect("read"),
        PRETTY
    );
    assert_eq!(
        kiln(p.path(), &["fmt", "-check", "-recursive", "."], "").code,
        0
    );
}

#[test]
fn write_false_and_diff_leave_file_alone() {
    let p = project(&[("a.pkr.hcl", UGLY)]);
    let r = kiln(p.path(), &["fmt", "-write=false", "-diff", "a.pkr.hcl"], "");
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("+  communicator = \"none\""),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(p.path().join("a.pkr.hcl")).expect("read"),
        UGLY
    );
}

#[test]
fn stdin_to_stdout() {
    let p = project(&[]);
    let r = kiln(p.path(), &["fmt", "-"], UGLY);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, PRETTY);
}

#[test]
fn syntax_error_fails() {
    let p = project(&[("a.pkr.hcl", "a = \"unterminated\n")]);
    let r = kiln(p.path(), &["fmt", "-check", "."], "");
    assert_eq!(r.code, 1, "{}", r.stderr);
}

#[test]
fn stdin_unchanged_is_echoed_and_check_prints_nothing() {
    let p = project(&[]);
    let r = kiln(p.path(), &["fmt", "-"], PRETTY);
    assert_eq!((r.code, r.stdout.as_str()), (0, PRETTY));
    let r = kiln(p.path(), &["fmt", "-check", "-"], UGLY);
    assert_eq!((r.code, r.stdout.as_str()), (3, ""));
}

#[test]
fn non_hcl_file_is_an_error_and_hidden_files_are_skipped() {
    let p = project(&[("notes.txt", "x"), (".hidden.pkr.hcl", UGLY)]);
    let r = kiln(p.path(), &["fmt", "notes.txt"], "");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is not a HCL file"), "{}", r.stderr);
    assert_eq!(kiln(p.path(), &["fmt", "-check", "."], "").code, 0);
}
