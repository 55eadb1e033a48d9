use super::{kiln, project};

#[test]
fn evaluates_piped_expressions_against_a_template() {
    let p = project(&[(
        "main.pkr.hcl",
        "variable \"n\" {\n  default = 3\n}\nvariable \"pw\" {\n  default   = \"topsecret\"\n  sensitive = true\n}\nlocals {\n  doubled = var.n * 2\n}\n",
    )]);
    let r = kiln(
        p.path(),
        &["console", "."],
        "local.doubled\n[for i in [1, 2] : i + var.n]\n\"${var.pw}!\"\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines, ["6", "[", "  4,", "  5,", "]", "<sensitive>!"]);
}

#[test]
fn bad_expression_reports_and_fails() {
    let p = project(&[("main.pkr.hcl", "")]);
    let r = kiln(p.path(), &["console", "."], "nosuch.thing\n");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("There is no variable named \"nosuch\""),
        "{}",
        r.stderr
    );
}
