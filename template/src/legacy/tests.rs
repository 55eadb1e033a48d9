use super::*;

fn ctx() -> LegacyContext {
    let mut c = LegacyContext::new(BTreeMap::from([
        ("Vars".to_owned(), Value::from("A=1 B=2")),
        ("Path".to_owned(), Value::from("/tmp/script.sh")),
        ("HTTPIP".to_owned(), Value::from("10.0.2.2")),
        ("HTTPPort".to_owned(), Value::Number(8080.0)),
        ("Name".to_owned(), Value::from("web-Server")),
        (
            "Disk".to_owned(),
            Value::object([("Size", Value::from("10G"))]),
        ),
        ("List".to_owned(), Value::from("a,b,c")),
    ]));
    c.funcs.init_time = "2024-03-05T17:08:09Z".parse().expect("timestamp");
    c.funcs.build_name = Some("qemu.base".into());
    c.funcs.build_type = Some("qemu".into());
    c.funcs.user_variables = Some(BTreeMap::from([("x".to_owned(), "user-x".to_owned())]));
    c
}

fn r(t: &str) -> String {
    render(t, &ctx()).unwrap_or_else(|e| panic!("{t}: {e}"))
}

#[test]
fn fields() {
    assert_eq!(r("{{ .Vars }} {{ .Path }}"), "A=1 B=2 /tmp/script.sh");
    assert_eq!(
        r("http://{{ .HTTPIP }}:{{ .HTTPPort }}/ks.cfg"),
        "http://10.0.2.2:8080/ks.cfg"
    );
    assert_eq!(r("{{.Disk.Size}}"), "10G");
    assert_eq!(r("{{ .Disk.Nope }}"), "<no value>");
    assert_eq!(r("no actions"), "no actions");
}

#[test]
fn missing_field_is_an_error_with_offset_and_hint() {
    let e = render("abc {{ .Pth }}", &ctx()).expect_err("fails");
    assert_eq!(
        e,
        LegacyError::MissingField {
            offset: 7,
            field: "Pth".into(),
            hint: Some("Path".into())
        }
    );
    assert_eq!(
        e.to_string(),
        "template: offset 7: can't evaluate field Pth; did you mean .Path?"
    );
    let mut c = ctx();
    c.missing_fields = MissingFields::NoValue;
    assert_eq!(render("{{ .Pth }}", &c), Ok("<no value>".into()));
}

#[test]
fn field_of_a_non_map() {
    let e = render("{{ .Path.X }}", &ctx()).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 3: can't evaluate field X in type string"
    );
}

#[test]
fn functions_and_pipelines() {
    assert_eq!(r("{{ upper .Name }}"), "WEB-SERVER");
    assert_eq!(r("{{ .Name | lower }}"), "web-server");
    assert_eq!(r("{{ .Name | replace_all \"-\" \"_\" }}"), "web_Server");
    // The piped value is the last argument, so split (string first) can't
    // take one, as in Packer.
    assert!(render("{{ .List | split \",\" 1 }}", &ctx()).is_err());
    assert_eq!(r("{{ split .List \",\" 2 | upper }}"), "C");
    assert_eq!(r("{{ replace_all \"-\" \"_\" .Name }}"), "web_Server");
    assert_eq!(r("{{ replace \"a\" \"o\" 1 \"banana\" }}"), "bonana");
    assert_eq!(r("{{ replace \"a\" \"o\" -1 \"banana\" }}"), "bonono");
    assert_eq!(
        r("{{ upper (build_name) }}-{{ build_type }}"),
        "QEMU.BASE-qemu"
    );
    assert_eq!(r("{{ user `x` }}"), "user-x");
    assert_eq!(r("{{ print .HTTPPort 1 }}"), "8080 1");
    assert_eq!(r("{{ len .Vars }}"), "7");
}

#[test]
fn time_functions_use_the_build_start() {
    assert_eq!(r("{{timestamp}}"), "1709658489");
    assert_eq!(r("{{ isotime }}"), "2024-03-05T17:08:09Z");
    assert_eq!(r("{{ isotime \"2006-01-02\" }}"), "2024-03-05");
    assert_eq!(r("{{ isotime `20060102-1504` }}"), "20240305-1708");
    assert_eq!(r("{{ strftime \"%Y%m%d\" }}"), "20240305");
    let e = render("{{ isotime \"a\" \"b\" }}", &ctx()).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 3: error calling isotime: too many values, 1 needed: [a b]"
    );
}

#[test]
fn uuid_is_time_ordered() {
    let u = r("{{ uuid }}");
    assert_eq!(u.len(), 36);
    assert_eq!(u.matches('-').count(), 4);
    assert_ne!(u, r("{{ uuid }}"));
}

#[test]
fn quoting_trim_and_comments() {
    assert_eq!(
        r(r#"{{ "a\tb\u00e9" }}|{{ `raw\t` }}"#),
        "a\tb\u{e9}|raw\\t"
    );
    assert_eq!(r("a \n {{- .Path -}} \n b"), "a/tmp/script.shb");
    assert_eq!(r("x{{/* a comment */}}y{{- /* trimmed */ -}} z"), "xyz");
}

#[test]
fn user_variables() {
    assert_eq!(r("[{{ user `missing` }}]"), "[]");
    let mut c = ctx();
    c.funcs.enable_env = true;
    let e = render("{{ user `missing` }}", &c).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 3: error calling user: Error: variable not set: missing"
    );
    c.funcs.user_variables = None;
    assert!(render("{{ user `x` }}", &c).is_err());
}

#[test]
fn env_only_where_allowed() {
    let e = render("{{ env `PATH` }}", &ctx()).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 3: error calling env: env vars are not allowed here"
    );
    let mut c = ctx();
    c.funcs.enable_env = true;
    assert_eq!(
        render("{{ env `PATH` }}", &c),
        Ok(std::env::var("PATH").unwrap_or_default())
    );
}

#[test]
fn unavailable_functions() {
    let mut c = ctx();
    c.funcs.build_name = None;
    let e = render("{{ build_name }}", &c).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 3: error calling build_name: build_name not available"
    );
    let e = render("x {{ split .List \",\" 5 }}", &c).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 5: error calling split: the substring 5 was unavailable using the separator value, ,, only 3 values were found"
    );
}

#[test]
fn unknown_function_is_reported_before_running() {
    let e = render("{{ .Nope }} {{ uppr .Name }}", &ctx()).expect_err("fails");
    assert_eq!(
        e,
        LegacyError::UnknownFunction {
            offset: 15,
            name: "uppr".into(),
            hint: Some("upper".into())
        }
    );
    assert_eq!(validate("{{ upper .Name }}", &ctx()), Ok(()));
}

#[test]
fn argument_types_follow_go_signatures() {
    let e = render("{{ upper 1 }}", &ctx()).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 3: error calling upper: wrong type for value; expected string; got int"
    );
    let e = render("{{ upper }}", &ctx()).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 3: error calling upper: wrong number of args for upper: want 1 got 0"
    );
    let e = render("{{ \"x\" | .Path }}", &ctx()).expect_err("fails");
    assert_eq!(
        e.to_string(),
        "template: offset 9: can't give argument to non-function"
    );
}

#[test]
fn clean_resource_name_per_builder() {
    let mut c = ctx();
    assert!(render("{{ clean_resource_name `a:b` }}", &c).is_err());
    c.funcs.clean_resource_name = Some(CleanStyle::Amazon);
    assert_eq!(
        render("{{ isotime `2006-01-02T15:04` | clean_resource_name }}", &c),
        Ok("2024-03-05T17-08".into())
    );
}

#[test]
fn extra_functions_win() {
    let mut c = ctx();
    c.funcs.extra.insert(
        "upper".into(),
        ExtraFunc(Arc::new(|args: &[Value]| {
            Ok(Value::String(format!("<{}>", args.len())))
        })),
    );
    assert_eq!(render("{{ upper .Name }}", &c), Ok("<1>".into()));
}

#[test]
fn output_is_rendered_again_until_stable() {
    let mut c = ctx();
    c.data.insert("Cmd".into(), Value::from("sh {{ .Path }}"));
    assert_eq!(render("{{ .Cmd }}", &c), Ok("sh /tmp/script.sh".into()));
    assert_eq!(render_once("{{ .Cmd }}", &c), Ok("sh {{ .Path }}".into()));
    c.data.insert("Loop".into(), Value::from("{{ .Loop }}x"));
    assert_eq!(
        render("{{ .Loop }}", &c),
        Err(LegacyError::TooManyRounds(MAX_ROUNDS))
    );
}

#[test]
fn control_actions_are_refused() {
    let e = render("{{ range .X }}{{ end }}", &ctx()).expect_err("fails");
    assert_eq!(e.offset(), Some(3));
}

#[test]
fn if_else_end_as_text_template() {
    assert_eq!(r("{{if .Vars}}v={{.Vars}}{{end}}!"), "v=A=1 B=2!");
    assert_eq!(r("{{if .Disk.Nope}}x{{else}}y{{end}}"), "y");
    assert_eq!(
        r(r#"{{if ne .Path ""}}{{.Path}} {{end}}run"#),
        "/tmp/script.sh run"
    );
    assert_eq!(
        r(r#"{{if eq .Path ""}}a{{else if .HTTPPort}}b{{else}}c{{end}}"#),
        "b"
    );
    assert_eq!(r("{{if false}}a{{else if 0}}b{{else}}c{{end}}"), "c");
    assert_eq!(
        r("{{if 1}}{{if false}}x{{else}}nested{{end}}{{end}}"),
        "nested"
    );
    assert_eq!(r("{{- if true }}  a  {{- end }}"), "  a");
    for (t, offset, message) in [
        ("{{if true}}x", 0, "unexpected EOF"),
        ("x{{end}}", 1, "unexpected {{end}}"),
        ("{{else}}", 0, "unexpected {{else}}"),
        ("{{if}}{{end}}", 0, "missing value for if"),
        (
            "{{if 1}}{{else}}{{else}}{{end}}",
            16,
            "expected end; found {{else}}",
        ),
        ("{{ upper if }}", 9, "unexpected <if> in command"),
    ] {
        assert_eq!(
            render(t, &ctx()),
            Err(LegacyError::syntax(offset, message)),
            "{t}"
        );
    }
    // Functions are checked in every branch before anything runs.
    assert!(matches!(
        render("{{if false}}{{nope}}{{end}}", &ctx()),
        Err(LegacyError::UnknownFunction { .. })
    ));
    // The function-only pass keeps control actions for the component.
    assert_eq!(
        render_functions("{{if .X}}{{upper `a`}}{{end}}", &ctx()),
        Ok("{{if .X}}A{{end}}".into())
    );
}
