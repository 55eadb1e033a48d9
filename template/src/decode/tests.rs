use super::*;
use crate::value::Type;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

fn span(r: Range<usize>) -> Option<SourceSpan> {
    Some(SourceSpan::new(0, r))
}

/// Builds bodies with predictable spans: an argument at `at` spans
/// `at..at + 20`, its name `at..at + name.len()`.
struct B(EvaluatedBody);

impl B {
    fn new(header: usize) -> B {
        B(EvaluatedBody {
            span: span(header..header + 5),
            ..EvaluatedBody::default()
        })
    }

    fn attr(mut self, name: &str, value: impl Into<Value>, at: usize) -> B {
        self.0.attrs.insert(
            name.to_owned(),
            EvaluatedAttr {
                value: value.into(),
                span: span(at..at + 20),
                name_span: span(at..at + name.len()),
                element_spans: Vec::new(),
            },
        );
        self
    }

    fn block(self, kind: &str, body: B, at: usize) -> B {
        self.labeled_block(kind, &[], body, at)
    }

    fn labeled_block(mut self, kind: &str, labels: &[&str], body: B, at: usize) -> B {
        self.0.blocks.push(EvaluatedBlock {
            kind: kind.to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
            body: body.0,
            span: span(at..at + 30),
        });
        self
    }
}

fn list(items: &[&str]) -> Value {
    Value::Tuple(items.iter().map(|s| Value::from(*s)).collect())
}

#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Format {
    #[default]
    Qcow2,
    Raw,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Disk {
    size: u32,
    #[serde(default)]
    name: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Launch {
    cpus: u8,
    #[serde(default)]
    args: Vec<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    iso_url: String,
    #[serde(default)]
    disk_size: u32,
    memory: Option<u64>,
    #[serde(default)]
    headless: bool,
    ssh_username: Option<String>,
    #[serde(default)]
    format: Format,
    #[serde(default)]
    boot_command: Vec<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    env: HashMap<String, String>,
    #[serde(default)]
    labels: IndexMap<String, String>,
    #[serde(default)]
    disk: Vec<Disk>,
    launch: Option<Launch>,
}

fn minimal() -> B {
    B::new(0).attr("iso_url", "http://x/a.iso", 10)
}

fn errors(r: Result<Config, Diagnostics>) -> Vec<crate::diagnostic::Diagnostic> {
    r.expect_err("decoding should fail").0
}

#[test]
fn nested_blocks_single_and_repeated() {
    let body = minimal()
        .block("disk", B::new(100).attr("size", 10.0, 110), 100)
        .block(
            "launch",
            B::new(200)
                .attr("cpus", 2.0, 210)
                .attr("args", list(&["-a"]), 230),
            200,
        )
        .block(
            "disk",
            B::new(300)
                .attr("size", 20.0, 310)
                .attr("name", "data", 330),
            300,
        );
    let c: Config = decode(&body.0).expect("decodes");
    assert_eq!(
        c.disk,
        vec![
            Disk {
                size: 10,
                name: String::new()
            },
            Disk {
                size: 20,
                name: "data".into()
            }
        ]
    );
    assert_eq!(
        c.launch,
        Some(Launch {
            cpus: 2,
            args: vec!["-a".into()]
        })
    );
}

#[test]
fn converts_like_cty() {
    let body = minimal()
        .attr("disk_size", "1024", 30)
        .attr("memory", 2048.0, 50)
        .attr("headless", "true", 70)
        .attr("ssh_username", 22.0, 90)
        .attr("format", "raw", 110)
        .attr(
            "boot_command",
            Value::List(vec!["<enter>".into(), Value::Number(5.0)]),
            130,
        )
        .attr(
            "tags",
            Value::object([("a", Value::from(true)), ("b", Value::from(1.5))]),
            150,
        )
        .attr(
            "env",
            Value::Map(BTreeMap::from([("K".to_owned(), Value::from("v"))])),
            170,
        )
        .attr(
            "labels",
            Value::object([("z", Value::from("1")), ("a", Value::from("2"))]),
            190,
        );
    let c: Config = decode(&body.0).expect("decodes");
    assert_eq!(c.disk_size, 1024);
    assert_eq!(c.memory, Some(2048));
    assert!(c.headless);
    assert_eq!(c.ssh_username.as_deref(), Some("22"));
    assert_eq!(c.format, Format::Raw);
    assert_eq!(c.boot_command, vec!["<enter>".to_owned(), "5".to_owned()]);
    assert_eq!(c.tags.get("a").map(String::as_str), Some("true"));
    assert_eq!(c.tags.get("b").map(String::as_str), Some("1.5"));
    assert_eq!(c.env.get("K").map(String::as_str), Some("v"));
    assert_eq!(c.labels.keys().collect::<Vec<_>>(), ["a", "z"]);
}

#[test]
fn null_and_unknown_mean_not_set() {
    let body = minimal()
        .attr("disk_size", Value::Null, 30)
        .attr("memory", Value::Unknown(Type::Number), 50)
        .attr("ssh_username", Value::Null, 70)
        .attr("boot_command", Value::Unknown(Type::list(Type::String)), 90)
        .attr("format", Value::Unknown(Type::String), 110);
    let c: Config = decode(&body.0).expect("decodes");
    assert_eq!(c.disk_size, 0);
    assert_eq!(c.memory, None);
    assert_eq!(c.ssh_username, None);
    assert!(c.boot_command.is_empty());
    assert_eq!(c.format, Format::Qcow2);
}

#[test]
fn optional_elements_take_null() {
    #[derive(Debug, Deserialize)]
    struct Opt {
        items: Vec<Option<u16>>,
    }
    let body = B::new(0).attr("items", Value::Tuple(vec![Value::Null, "7".into()]), 10);
    let o: Opt = decode(&body.0).expect("decodes");
    assert_eq!(o.items, vec![None, Some(7)]);
}

#[test]
fn integers_refuse_fractions_and_out_of_range() {
    let body = minimal().attr("disk_size", 1.5, 30).block(
        "launch",
        B::new(200).attr("cpus", 300.0, 210),
        200,
    );
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!(errs[0].summary, "Incorrect attribute value type");
    assert_eq!(
        errs[0].detail,
        "Inappropriate value for attribute \"disk_size\": value must be a whole number, between 0 and 4294967295 inclusive."
    );
    assert_eq!(errs[0].span, span(30..50));
    assert_eq!(
        errs[1].detail,
        "Inappropriate value for attribute \"cpus\": value must be a whole number, between 0 and 255 inclusive."
    );
    assert_eq!(errs[1].span, span(210..230));
}

#[test]
fn unknown_argument_suggests_the_right_name() {
    let body = minimal().attr("ssh_usrname", "root", 30);
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].summary, "Unsupported argument");
    assert_eq!(
        errs[0].detail,
        "An argument named \"ssh_usrname\" is not expected here."
    );
    assert_eq!(
        errs[0].hint.as_deref(),
        Some("Did you mean \"ssh_username\"?")
    );
    assert_eq!(errs[0].span, span(30..41));
}

#[test]
fn missing_required_argument_points_at_the_header() {
    let body = B::new(0).attr("memory", 1.0, 10);
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].summary, "Missing required argument");
    assert_eq!(
        errs[0].detail,
        "The argument \"iso_url\" is required, but no definition was found."
    );
    assert_eq!(errs[0].span, span(0..5));
}

#[test]
fn required_argument_set_to_unknown_decodes_as_placeholder() {
    // Values only a build knows must not fail validation: they decode as
    // the emptiest value of the field's type.
    let body = B::new(0).attr("iso_url", Value::Unknown(Type::String), 10);
    let c: Config = decode(&body.0).expect("decodes");
    assert_eq!(c.iso_url, "");
}

#[test]
fn required_argument_set_to_null() {
    let body = B::new(0).attr("iso_url", Value::Null, 10);
    let errs = errors(decode(&body.0));
    assert_eq!(
        errs[0].detail,
        "The argument \"iso_url\" is required, but its value is null."
    );
}

#[test]
fn missing_argument_in_nested_block_points_at_that_block() {
    let body = minimal()
        .block("disk", B::new(100).attr("size", 1.0, 110), 100)
        .block("disk", B::new(300).attr("name", "x", 310), 300);
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(
        errs[0].detail,
        "The argument \"size\" is required, but no definition was found."
    );
    assert_eq!(errs[0].span, span(300..305));
}

#[test]
fn duplicate_single_block() {
    let body = minimal()
        .block("launch", B::new(100).attr("cpus", 1.0, 110), 100)
        .block("launch", B::new(200).attr("cpus", 2.0, 210), 200);
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].summary, "Duplicate launch block");
    assert_eq!(errs[0].detail, "Only one launch block is allowed.");
    assert_eq!(errs[0].span, span(200..230));
}

#[test]
fn several_errors_at_once() {
    let body = B::new(0)
        .attr("disk_size", "big", 10)
        .attr("ssh_usrname", "root", 30)
        .attr(
            "boot_command",
            Value::Tuple(vec!["a".into(), "b".into(), list(&["c"])]),
            50,
        )
        .attr("format", "qcow", 70)
        .block("dsk", B::new(100), 100)
        .block(
            "disk",
            B::new(200).attr("size", "x", 210).attr("sise", 1.0, 230),
            200,
        );
    let errs = errors(decode(&body.0));
    let got: Vec<(&str, &str, Option<SourceSpan>)> = errs
        .iter()
        .map(|d| (d.summary.as_str(), d.detail.as_str(), d.span.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Incorrect attribute value type",
                "Inappropriate value for attribute \"disk_size\": a number is required.",
                span(10..30)
            ),
            (
                "Unsupported argument",
                "An argument named \"ssh_usrname\" is not expected here.",
                span(30..41)
            ),
            (
                "Incorrect attribute value type",
                "Inappropriate value for attribute \"boot_command\": element 2: string required.",
                span(50..70)
            ),
            (
                "Invalid value",
                "Inappropriate value for attribute \"format\": \"qcow\" is not a valid value; expected one of \"qcow2\", \"raw\".",
                span(70..90)
            ),
            ("Unsupported block type", "Blocks of type \"dsk\" are not expected here.", span(100..130)),
            (
                "Incorrect attribute value type",
                "Inappropriate value for attribute \"size\": a number is required.",
                span(210..230)
            ),
            (
                "Unsupported argument",
                "An argument named \"sise\" is not expected here.",
                span(230..234)
            ),
            (
                "Missing required argument",
                "The argument \"iso_url\" is required, but no definition was found.",
                span(0..5)
            ),
        ]
    );
    assert_eq!(errs[3].hint.as_deref(), Some("Did you mean \"qcow2\"?"));
    assert_eq!(errs[4].hint.as_deref(), Some("Did you mean \"disk\"?"));
    assert_eq!(errs[6].hint.as_deref(), Some("Did you mean \"size\"?"));
}

#[test]
fn object_attribute_decodes_into_struct() {
    let body = minimal().attr("launch", Value::object([("cpus", Value::from("4"))]), 30);
    let c: Config = decode(&body.0).expect("decodes");
    assert_eq!(c.launch.map(|l| l.cpus), Some(4));

    let body = minimal().attr("launch", Value::object([("cpu", Value::from(4.0))]), 30);
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!(
        errs[0].detail,
        "Inappropriate value for attribute \"launch\": unexpected attribute \"cpu\"."
    );
    assert_eq!(errs[0].hint.as_deref(), Some("Did you mean \"cpus\"?"));
    assert_eq!(
        errs[1].detail,
        "Inappropriate value for attribute \"launch\": attribute \"cpus\" is required."
    );
    assert_eq!(errs[1].span, span(30..50));
}

#[test]
fn block_where_a_value_is_expected() {
    let body = minimal().block("disk_size", B::new(100), 100);
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].summary, "Unsupported block type");
    assert_eq!(
        errs[0].detail,
        "Blocks of type \"disk_size\" are not expected here."
    );
    assert_eq!(errs[0].span, span(100..130));
}

#[test]
fn labels_on_nested_blocks_are_extraneous() {
    let body = minimal().labeled_block("launch", &["x"], B::new(100).attr("cpus", 1.0, 110), 100);
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].summary, "Extraneous label for launch");
}

#[test]
fn list_field_needs_a_list() {
    let body = minimal().attr("boot_command", "<enter>", 30);
    let errs = errors(decode(&body.0));
    assert_eq!(
        errs[0].detail,
        "Inappropriate value for attribute \"boot_command\": list of string required."
    );
}

#[test]
fn type_errors_name_the_whole_type() {
    let body = minimal().attr("tags", "a=b", 30).block(
        "disk",
        B::new(100).attr("size", list(&["1"]), 110),
        100,
    );
    let errs = errors(decode(&body.0));
    let details: Vec<&str> = errs.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "Inappropriate value for attribute \"tags\": map of string required.",
            "Inappropriate value for attribute \"size\": number required.",
        ]
    );
}

#[test]
fn unknown_argument_set_to_null_is_still_unexpected() {
    // `contnet = cond ? x : null`: a misspelt argument whose value happens
    // to be null is as wrong as any other.
    let body = minimal()
        .attr("ssh_usrname", Value::Null, 30)
        .attr("ssh_username", Value::Null, 60)
        .block(
            "launch",
            B::new(100)
                .attr("cpus", 1.0, 110)
                .attr("argz", Value::Unknown(Type::Any), 140),
            100,
        );
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert_eq!(errs[0].summary, "Unsupported argument");
    assert_eq!(
        errs[0].detail,
        "An argument named \"ssh_usrname\" is not expected here."
    );
    assert_eq!(errs[0].span, span(30..41));
    assert_eq!(errs[1].summary, "Unsupported argument");
    assert_eq!(errs[1].span, span(140..144));
}

#[test]
fn unknown_object_attribute_set_to_null_is_still_unexpected() {
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Rule {
        port: Option<u16>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Fw {
        rule: Rule,
    }
    let ok = B::new(0).attr("rule", Value::object([("port", Value::Null)]), 10);
    assert!(decode::<Fw>(&ok.0).is_ok());
    let bad = B::new(0).attr("rule", Value::object([("prot", Value::Null)]), 10);
    let errs = decode::<Fw>(&bad.0).expect_err("fails").0;
    assert_eq!(
        errs[0].detail,
        "Inappropriate value for attribute \"rule\": unexpected attribute \"prot\"."
    );
}

#[test]
fn errors_inside_nested_objects_carry_a_path() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Rule {
        ports: Vec<u16>,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Fw {
        rules: BTreeMap<String, Rule>,
    }
    let rules = Value::object([(
        "web",
        Value::object([(
            "ports",
            Value::Tuple(vec![80.0.into(), 443.0.into(), "x".into()]),
        )]),
    )]);
    let body = B::new(0).attr("rules", rules, 10);
    let errs = decode::<Fw>(&body.0).expect_err("fails").0;
    assert_eq!(
        errs[0].detail,
        "Inappropriate value for attribute \"rules\": attribute \"web\": attribute \"ports\": element 2: a number is required."
    );
}

#[test]
fn every_bad_element_is_reported() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Ports {
        ports: Vec<u16>,
    }
    let body = B::new(0).attr(
        "ports",
        Value::Tuple(vec!["a".into(), 1.0.into(), (-1.0).into()]),
        10,
    );
    let errs = decode::<Ports>(&body.0).expect_err("fails").0;
    let details: Vec<&str> = errs.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "Inappropriate value for attribute \"ports\": element 0: a number is required.",
            "Inappropriate value for attribute \"ports\": element 2: value must be a whole number, between 0 and 65535 inclusive.",
        ]
    );
}

#[test]
fn enum_with_content_from_single_key_object() {
    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Source {
        Url(String),
        Local { path: String },
    }
    #[derive(Debug, Deserialize)]
    struct S {
        src: Source,
    }
    let body = B::new(0).attr("src", Value::object([("url", Value::from("http://x"))]), 10);
    assert_eq!(
        decode::<S>(&body.0).expect("decodes").src,
        Source::Url("http://x".into())
    );
    let body = B::new(0).attr(
        "src",
        Value::object([("local", Value::object([("path", Value::from("/a"))]))]),
        10,
    );
    assert_eq!(
        decode::<S>(&body.0).expect("decodes").src,
        Source::Local { path: "/a".into() }
    );
}

#[test]
fn untyped_targets_see_values_as_they_are() {
    #[derive(Debug, Deserialize)]
    struct Any {
        v: serde_json::Value,
    }
    let body = B::new(0).attr(
        "v",
        Value::object([
            ("n", Value::from(3.0)),
            ("f", Value::from(0.5)),
            ("l", list(&["a"])),
        ]),
        10,
    );
    let a: Any = decode(&body.0).expect("decodes");
    assert_eq!(a.v, serde_json::json!({"n": 3, "f": 0.5, "l": ["a"]}));
}

#[test]
fn argument_and_block_of_one_name() {
    let body = minimal()
        .attr("launch", Value::object([("cpus", Value::from(1.0))]), 30)
        .block("launch", B::new(100).attr("cpus", 2.0, 110), 100);
    let errs = errors(decode(&body.0));
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].summary, "Attribute redefined");
    assert_eq!(errs[0].span, span(100..130));
}

#[test]
fn checks_of_placeholders_are_not_reported() {
    #[derive(Debug, Deserialize)]
    struct Raw {
        name: String,
    }
    #[derive(Debug, Deserialize)]
    #[serde(try_from = "Raw")]
    #[allow(dead_code)]
    struct Named {
        name: String,
    }
    impl TryFrom<Raw> for Named {
        type Error = String;
        fn try_from(r: Raw) -> Result<Named, String> {
            if r.name.is_empty() {
                return Err("name must not be empty".into());
            }
            Ok(Named { name: r.name })
        }
    }
    let body = B::new(0).attr("name", list(&["a"]), 10);
    let errs = decode::<Named>(&body.0).expect_err("fails").0;
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(
        errs[0].detail,
        "Inappropriate value for attribute \"name\": string required."
    );
    // On its own, the check is reported at the block header.
    let body = B::new(0).attr("name", "", 10);
    let errs = decode::<Named>(&body.0).expect_err("fails").0;
    assert_eq!(errs[0].summary, "Invalid configuration");
    assert_eq!(errs[0].detail, "name must not be empty.");
    assert_eq!(errs[0].span, span(0..5));
}

#[test]
fn go_durations_decode_once_with_gos_range_and_message_at_the_argument() {
    use kiln_gocompat::GoDuration;
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Timing {
        boot_wait: Option<GoDuration>,
        shutdown_timeout: Option<GoDuration>,
        ssh_timeout: Option<GoDuration>,
        pause_after: Option<GoDuration>,
    }
    let body = B::new(0)
        .attr("boot_wait", "1h2m3.5s", 10)
        .attr("shutdown_timeout", 0.0, 40)
        .attr("ssh_timeout", "-1.5h", 70)
        .attr("pause_after", "2562047h", 100);
    let t = decode::<Timing>(&body.0).expect("decodes");
    assert_eq!(t.boot_wait, Some(GoDuration::from_nanos(3_723_500_000_000)));
    assert_eq!(
        t.shutdown_timeout,
        Some(GoDuration::ZERO),
        "a number 0 is zero"
    );
    assert_eq!(
        t.ssh_timeout,
        Some(GoDuration::from_nanos(-5_400_000_000_000))
    );
    assert_eq!(
        t.pause_after,
        Some(GoDuration::from_nanos(2_562_047 * 3_600_000_000_000))
    );

    let body = B::new(0)
        .attr("boot_wait", "3000000000000000h", 10)
        .attr("shutdown_timeout", 10.0, 40)
        .attr("ssh_timeout", "5x", 70);
    let errs = decode::<Timing>(&body.0).expect_err("fails").0;
    let got: Vec<_> = errs
        .iter()
        .map(|d| (d.summary.as_str(), d.detail.as_str(), d.span.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "Invalid configuration",
                "error decoding 'boot_wait': time: invalid duration \"3000000000000000h\"",
                span(10..30)
            ),
            (
                "Invalid configuration",
                "error decoding 'shutdown_timeout': time: missing unit in duration \"10\"",
                span(40..60)
            ),
            (
                "Invalid configuration",
                "error decoding 'ssh_timeout': time: unknown unit \"x\" in duration \"5x\"",
                span(70..90)
            ),
        ]
    );
}

#[test]
fn error_about_one_element_points_at_that_element() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Ports {
        ports: Vec<u16>,
    }
    let mut body = B::new(0).attr(
        "ports",
        Value::Tuple(vec![1.0.into(), "x".into(), 3.0.into()]),
        10,
    );
    if let Some(a) = body.0.attrs.get_mut("ports") {
        a.element_spans = vec![span(20..21), span(40..43), span(60..61)];
    }
    let errs = decode::<Ports>(&body.0).expect_err("fails").0;
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(
        errs[0].detail,
        "Inappropriate value for attribute \"ports\": element 1: a number is required."
    );
    assert_eq!(errs[0].span, span(40..43));
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WeakConfig {
    inline: Vec<String>,
    regions: Vec<String>,
    none: Vec<String>,
    codes: Vec<u32>,
    size: u64,
    count: i32,
    public_ip: Option<bool>,
    flag: String,
    enabled: bool,
    off: bool,
}

#[test]
fn weak_decoding_reads_values_as_mapstructure_does() {
    let mut b = B::new(0)
        .attr("inline", "echo one", 10)
        .attr("flag", true, 40)
        .attr("enabled", "T", 70)
        .attr("off", "", 100)
        .attr("regions", "us-east-1,eu-west-1", 130)
        .attr("none", "", 160)
        .attr("codes", 0.0, 190)
        .attr("size", "", 220)
        .attr("count", true, 250)
        .attr("public_ip", "", 280)
        .0;
    let strict = decode::<WeakConfig>(&b).expect_err("strict decoding refuses them");
    assert!(
        format!("{strict:?}").contains("list of string required"),
        "{strict:?}"
    );
    b.weak = true;
    let c = decode::<WeakConfig>(&b).expect("weak decoding reads them");
    assert_eq!(c.inline, ["echo one"]);
    assert_eq!(c.regions, ["us-east-1", "eu-west-1"]);
    assert!(c.none.is_empty());
    assert_eq!(c.codes, [0]);
    assert_eq!((c.size, c.count), (0, 1));
    assert_eq!(c.public_ip, None, "\"\" is an unset trilean");
    assert_eq!(c.flag, "1");
    assert!(c.enabled);
    assert!(!c.off);
}
