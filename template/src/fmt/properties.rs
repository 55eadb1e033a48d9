//! Property tests: `format` never panics, and whatever it accepts it
//! formats to a fixed point.

use proptest::prelude::*;

use super::format;

/// Fragments that lex into every token kind, glued with random
/// whitespace; most such sources are refused, the rest must be stable.
fn fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "b_c",
        "in",
        "for",
        "if",
        "1",
        "2.5e3",
        "=",
        "==",
        "!=",
        "<",
        ">=",
        "&&",
        "||",
        "!",
        "-",
        "+",
        "*",
        "/",
        "%",
        "?",
        ":",
        ".",
        ",",
        "...",
        "=>",
        "::",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "\"x\"",
        "\"${a}\"",
        "\"%{ if b }c%{ endif }\"",
        "\"$${}\"",
        "<<EOT\nbody ${ x }\nEOT\n",
        "<<-EOT\n  y\n  EOT\n",
        "# c\n",
        "// d\n",
        "/* e */",
        "\n",
        " ",
        "  ",
        "\t",
        "x = ",
        "y {\n",
        "}\n",
    ])
    .prop_map(str::to_owned)
}

fn space() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["", " ", "  ", "\t"])
}

/// An attribute without its name: `{s}={s}value[ # comment]\n`.
fn attribute_tail() -> impl Strategy<Value = String> {
    let value = prop::sample::select(vec![
        "1",
        "\"s\"",
        "var.x",
        "[1, 2]",
        "{ a = 1 }",
        "{\na = 1\nbb = \"x\" # c\n}",
        "[\n1,\n  2,\n]",
        "f(x)",
        "a ? b : c",
        "-1",
        "!t",
        "\"${ var.a }-x\"",
        "[for v in l : v]",
        "<<EOT\nhello\nEOT",
    ]);
    (space(), space(), value, prop::option::of("# [a-z ]{0,5}")).prop_map(
        |(s1, s2, value, comment)| {
            // A heredoc's closing marker must be alone on its line.
            let comment = comment
                .filter(|_| !value.contains("<<"))
                .map(|c| format!(" {c}"))
                .unwrap_or_default();
            format!("{s1}={s2}{value}{comment}\n")
        },
    )
}

#[derive(Debug, Clone)]
enum Item {
    Attribute(String),
    Block(Vec<String>, &'static str),
    Blank,
}

/// Small but well-formed config bodies with arbitrary spacing. Names are
/// numbered by position because redefining an attribute is an error.
fn config() -> impl Strategy<Value = String> {
    let item = prop_oneof![
        attribute_tail().prop_map(Item::Attribute),
        (prop::collection::vec(attribute_tail(), 0..4), space())
            .prop_map(|(attrs, indent)| Item::Block(attrs, indent)),
        Just(Item::Blank),
    ];
    prop::collection::vec(item, 0..8).prop_map(|items| {
        let mut src = String::new();
        for (i, item) in items.iter().enumerate() {
            match item {
                Item::Attribute(tail) => src.push_str(&format!("t{i}{tail}")),
                Item::Block(attrs, indent) => {
                    src.push_str(&format!("b \"l{i}\" {{\n"));
                    for (j, tail) in attrs.iter().enumerate() {
                        src.push_str(&format!("{indent}n{j}{tail}"));
                    }
                    src.push_str("}\n");
                }
                Item::Blank => src.push('\n'),
            }
        }
        src
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(src in any::<String>()) {
        let _ = format(&src);
    }

    #[test]
    fn token_soup_is_idempotent_when_accepted(parts in prop::collection::vec(fragment(), 0..24)) {
        let src = parts.concat();
        if let Ok(once) = format(&src) {
            prop_assert_eq!(format(&once), Ok(once.clone()));
        }
    }

    #[test]
    fn configs_are_accepted_and_idempotent(src in config()) {
        let once = format(&src);
        prop_assert!(once.is_ok(), "refused {:?}: {:?}", src, once);
        let once = once.unwrap_or_default();
        prop_assert_eq!(format(&once), Ok(once.clone()));
    }
}
