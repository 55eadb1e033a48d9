//! Input → expected output tables. The first table restates the cases of
//! hclwrite's `format_test.go` (some are expression fragments rather than
//! config files, so they go through the token passes only); the second
//! runs whole Packer templates through `format`.

use super::{format, layout, lexer, FormatError};

fn layout_str(src: &str) -> String {
    layout(lexer::lex(src).expect("test input lexes"))
}

/// (input, expected) pairs from hclwrite's own formatter tests.
const HCLWRITE_CASES: &[(&str, &str)] = &[
    ("", ""),
    ("a=1", "a = 1"),
    ("a=b.c", "a = b.c"),
    ("a=b[c]", "a = b[c]"),
    ("a=b()[c]", "a = b()[c]"),
    (r#"a=["hello"][0]"#, r#"a = ["hello"][0]"#),
    ("( a+2 )", "(a + 2)"),
    ("( a*2 )", "(a * 2)"),
    ("( a+-2 )", "(a + -2)"),
    ("( a*-2 )", "(a * -2)"),
    ("(-2+1)", "(-2 + 1)"),
    ("foo(1, -2,a*b, b,c)", "foo(1, -2, a * b, b, c)"),
    ("foo(a,b...)", "foo(a, b...)"),
    ("! true", "!true"),
    (r#"a="hello ${ name }""#, r#"a = "hello ${name}""#),
    (r#"a="hello ${~ name ~}""#, r#"a = "hello ${~name~}""#),
    (r#"a="${b}${c}${ d } ${e}""#, r#"a = "${b}${c}${d} ${e}""#),
    (
        r#""%{if true}${var.foo}%{endif}""#,
        r#""%{if true}${var.foo}%{endif}""#,
    ),
    ("b{}", "b {}"),
    ("\n\"${\nhello\n}\"\n", "\n\"${\n  hello\n}\"\n"),
    (
        "\nfoo(\n1,\n- 2,\na*b,\nb,\nc,\n)\n",
        "\nfoo(\n  1,\n  -2,\n  a * b,\n  b,\n  c,\n)\n",
    ),
    ("a?b:c", "a ? b : c"),
    ("[ [ ] ]", "[[]]"),
    ("[for x in y : x]", "[for x in y : x]"),
    ("[for x in [y] : x]", "[for x in [y] : x]"),
    ("\n[\n[\na\n]\n]\n", "\n[\n  [\n    a\n  ]\n]\n"),
    ("\n[[\na\n]]\n", "\n[[\n  a\n]]\n"),
    ("\n[[\n[\na\n]\n]]\n", "\n[[\n  [\n    a\n  ]\n]]\n"),
    // Asymmetrical brackets must not drift left or right.
    ("\n[[\n[\na\n]]\n]\n", "\n[[\n  [\n    a\n  ]]\n]\n"),
    ("\nb {\na = 1\n}\n", "\nb {\n  a = 1\n}\n"),
    ("\nb {a = 1}\n", "\nb { a = 1 }\n"),
    ("\na = 1\nbungle = 2\n", "\na      = 1\nbungle = 2\n"),
    ("\na = 1\n\nbungle = 2\n", "\na = 1\n\nbungle = 2\n"),
    ("\na = 1 # foo\nbungle = 2\n", "\na      = 1 # foo\nbungle = 2\n"),
    (
        "\na = 1 # foo\nbungle = \"bonce\" # baz\n",
        "\na      = 1       # foo\nbungle = \"bonce\" # baz\n",
    ),
    (
        "\n# here we go\na = 1 # foo\nbungle = \"bonce\" # baz\n",
        "\n# here we go\na      = 1       # foo\nbungle = \"bonce\" # baz\n",
    ),
    (
        "\nfoo {} # here we go\na = 1 # foo\nbungle = \"bonce\" # baz\n",
        "\nfoo {}           # here we go\na      = 1       # foo\nbungle = \"bonce\" # baz\n",
    ),
    (
        "\na = 1 # foo\nbungle = \"bonce\" # baz\nzebra = \"striped\" # baz\n",
        "\na      = 1         # foo\nbungle = \"bonce\"   # baz\nzebra  = \"striped\" # baz\n",
    ),
    (
        "\na = 1 # foo\nbungle = (\n    \"bonce\"\n) # baz\nzebra = \"striped\" # baz\n",
        "\na = 1 # foo\nbungle = (\n  \"bonce\"\n)                 # baz\nzebra = \"striped\" # baz\n",
    ),
    (
        "\na=\"apple\"# foo\nbungle=(# woo parens\n\"bonce\"\n)# baz\nzebra=\"striped\"# baz\n",
        "\na = \"apple\" # foo\nbungle = (  # woo parens\n  \"bonce\"\n)                 # baz\nzebra = \"striped\" # baz\n",
    ),
    (
        "\n𝒜 = 1 # foo\nbungle = \"🇬🇧\" # baz\nzebra = \"striped\" # baz\n",
        "\n𝒜      = 1         # foo\nbungle = \"🇬🇧\"       # baz\nzebra  = \"striped\" # baz\n",
    ),
    ("\nfoo {\n# ...\n}\n", "\nfoo {\n  # ...\n}\n"),
    ("\nfoo = {\n# ...\n}\n", "\nfoo = {\n  # ...\n}\n"),
    ("\nfoo = [\n# ...\n]\n", "\nfoo = [\n  # ...\n]\n"),
    ("\nfoo = [{\n# ...\n}]\n", "\nfoo = [{\n  # ...\n}]\n"),
    (
        "\nfoo {\nbar {\n# ...\n}\n}\n",
        "\nfoo {\n  bar {\n    # ...\n  }\n}\n",
    ),
    (
        "\nfoo {\nbar = {\n# ...\n}\n}\n",
        "\nfoo {\n  bar = {\n    # ...\n  }\n}\n",
    ),
    (
        "\nfoo {\nbar = [\n# ...\n]\n}\n",
        "\nfoo {\n  bar = [\n    # ...\n  ]\n}\n",
    ),
    (
        "\nfoo {\nbar = <<EOT\nFoo bar baz\nEOT\n}\n",
        "\nfoo {\n  bar = <<EOT\nFoo bar baz\nEOT\n}\n",
    ),
    (
        "\nfoo {\nbar = <<-EOT\nFoo bar baz\nEOT\n}\n",
        "\nfoo {\n  bar = <<-EOT\nFoo bar baz\nEOT\n}\n",
    ),
    (
        "\nfoo {\nbar = <<-EOT\n  Foo bar baz\nEOT\n}\n",
        "\nfoo {\n  bar = <<-EOT\n  Foo bar baz\nEOT\n}\n",
    ),
    (
        "\nfoo {\nbar = <<-EOT\n  blahblahblah = x\nEOT\n}\n",
        "\nfoo {\n  bar = <<-EOT\n  blahblahblah = x\nEOT\n}\n",
    ),
    (
        "\nfoo {\nbar = <<-EOT\n  ${{ blahblahblah = x }}\nEOT\n}\n",
        "\nfoo {\n  bar = <<-EOT\n  ${ { blahblahblah = x } }\nEOT\n}\n",
    ),
    (
        "\nfoo {\n  bar = <<-EOT\n  ${a}${b}${ c } ${d}\nEOT\n}\n",
        "\nfoo {\n  bar = <<-EOT\n  ${a}${b}${c} ${d}\nEOT\n}\n",
    ),
    (
        "\nfoo {\nbar = <<EOT\nFoo bar baz\nEOT\n}\n\nbaz {\ndefault=\"string\"\n}\n",
        "\nfoo {\n  bar = <<EOT\nFoo bar baz\nEOT\n}\n\nbaz {\n  default = \"string\"\n}\n",
    ),
    (
        "\nfoo {\nbar = <<EOT\nFoo bar baz\nEOT\nbaz = <<EOT\nFoo bar baz\nEOT\n}\n\nbar {\nfoo = \"bar\"\n}\n",
        "\nfoo {\n  bar = <<EOT\nFoo bar baz\nEOT\n  baz = <<EOT\nFoo bar baz\nEOT\n}\n\nbar {\n  foo = \"bar\"\n}\n",
    ),
    (
        "\nmodule \"foo\" {\nfoo = <<EOF\n5\nEOF\n}\n\nmodule \"x\" {\na = \"b\"\nabcde = \"456\"\n}",
        "\nmodule \"foo\" {\n  foo = <<EOF\n5\nEOF\n}\n\nmodule \"x\" {\n  a     = \"b\"\n  abcde = \"456\"\n}",
    ),
    (
        "attr = provider::framework::example()",
        "attr = provider::framework::example()",
    ),
    (
        "attr = provider :: framework :: example()",
        "attr = provider::framework::example()",
    ),
    (
        "attr = provider ::framework:: example()",
        "attr = provider::framework::example()",
    ),
    // Invalid syntax, spaced out so the mistake is visible.
    (
        "attr = provider::+example()",
        "attr = provider:: + example()",
    ),
];

#[test]
fn hclwrite_cases() {
    for (input, want) in HCLWRITE_CASES {
        assert_eq!(&layout_str(input), want, "input:\n{input}");
    }
}

#[test]
fn hclwrite_cases_are_idempotent() {
    for (_, want) in HCLWRITE_CASES {
        assert_eq!(&layout_str(want), want, "formatted:\n{want}");
    }
}

/// Whole templates through the public entry point, parse check included.
const TEMPLATE_CASES: &[(&str, &str)] = &[
    (
        r#"packer {
required_plugins {
qemu = {
version = ">= 1.0.0"
source = "github.com/hashicorp/qemu"
}
}
}
"#,
        r#"packer {
  required_plugins {
    qemu = {
      version = ">= 1.0.0"
      source  = "github.com/hashicorp/qemu"
    }
  }
}
"#,
    ),
    (
        r#"variable "disk_size" {
    type    =   number
    default = 4096 # MiB
    description="Size of the disk"   // shown in -help
}
"#,
        r#"variable "disk_size" {
  type        = number
  default     = 4096               # MiB
  description = "Size of the disk" // shown in -help
}
"#,
    ),
    (
        r#"source "qemu" "base" {
	iso_url = "https://example.com/${var.release}/image.iso"
	iso_checksum = "sha256:${ local.sum }"
	boot_command = [
	"<esc><wait>",
	"linux ks=${ var.ks }<enter>"
	]
	disk_size=var.disk_size*2
}
"#,
        r#"source "qemu" "base" {
  iso_url      = "https://example.com/${var.release}/image.iso"
  iso_checksum = "sha256:${local.sum}"
  boot_command = [
    "<esc><wait>",
    "linux ks=${var.ks}<enter>"
  ]
  disk_size = var.disk_size * 2
}
"#,
    ),
    (
        r#"build {
sources = ["source.qemu.base"]

provisioner "shell" {
inline = [
"echo hi",
]
environment_vars = ["A=1","B=2"]
}

  post-processor "manifest" {}
}
"#,
        r#"build {
  sources = ["source.qemu.base"]

  provisioner "shell" {
    inline = [
      "echo hi",
    ]
    environment_vars = ["A=1", "B=2"]
  }

  post-processor "manifest" {}
}
"#,
    ),
    (
        // The heredoc is part of its attribute's line, so the attributes
        // after it align with it.
        r#"locals {
  script = <<-EOT
      #!/bin/sh
    echo ${ var.name }
  EOT
  n = length( var.list )>0?1:- 1
  m = { for k , v in var.map : k => v if v != null }
  s = [ for x in var.xs : upper( x ) ]
  t = var.list[ 0 ].attr
  u = var.list[*].id
  w = ! var.flag && var.other
}
"#,
        r#"locals {
  script = <<-EOT
      #!/bin/sh
    echo ${var.name}
  EOT
  n      = length(var.list) > 0 ? 1 : -1
  m      = { for k, v in var.map : k => v if v != null }
  s      = [for x in var.xs : upper(x)]
  t      = var.list[0].attr
  u      = var.list[*].id
  w      = !var.flag && var.other
}
"#,
    ),
    (
        // Block comments and trailing spaces: only whitespace between
        // tokens changes, comment text never does.
        "/*\n   keep   this\n*/\na = 1   \n  // trailing   spaces inside comments stay   \nb = /* inline */ 2\n",
        "/*\n   keep   this\n*/\na = 1\n// trailing   spaces inside comments stay   \nb = /* inline */ 2\n",
    ),
    (
        // Windows line endings are kept.
        "a=1\r\nbb=2\r\n",
        "a  = 1\r\nbb = 2\r\n",
    ),
    (
        "\u{feff}a=1\n",
        "a = 1\n",
    ),
    // Generated inputs whose expected outputs were produced by hclwrite.Format.
    (
        "    ünï0 = { for k, v in var.a :   k  => v }\n\t\nfor2=[   a.b.c,\t{\n  k0  =var.a+ true,\n  k1 =  !null /* b */\n k2   =  <<-EOT\n    # not a comment\nEOT\n   k3   =   a.0,\n\t},\t\"\\n\"  ]\n  local3   =\t[  for v in \"$${x}\"  : v   ]   ? true :-1\nbb4 = true\n\n",
        "ünï0 = { for k, v in var.a : k => v }\n\nfor2 = [a.b.c, {\n  k0 = var.a + true,\n  k1 = !null /* b */\n  k2 = <<-EOT\n    # not a comment\nEOT\n  k3 = a.0,\n}, \"\\n\"]\nlocal3 = [for v in \"$${x}\" : v] ? true : -1\nbb4    = true\n\n",
    ),
    (
        "𝒜0  =\t<<-EOT\n${\tvar.a}\n    x = 1\n  EOT\n    b1 \"x\"\t{\n    ami_id0  =\t[ # c\n [   1e3\t],\n[\t],  #x\nx[*].id,  #x\n  1   ?\t\"${~ 1  }\"   : ami_id  (var.a,  a.0   ),\n\t]\nname1 = [\t{ k0 =  1e3 } ] /* b */\n    } # c\n\tbb2   =\t\"${~  x[*].id%\t\"\" }\"\nbb3 = local.b[0] # c\n",
        "𝒜0 = <<-EOT\n${var.a}\n    x = 1\n  EOT\nb1 \"x\" {\n  ami_id0 = [ # c\n    [1e3],\n    [],      #x\n    x[*].id, #x\n    1 ? \"${~1}\" : ami_id(var.a, a.0),\n  ]\n  name1 = [{ k0 = 1e3 }] /* b */\n} # c\nbb2 = \"${~x[*].id % \"\"}\"\nbb3 = local.b[0] # c\n",
    ),
    (
        // `:` in object constructors is spaced but not aligned, like hclwrite.
        "x = {\n  a: 1,\n  bbb : 2\n}\n",
        "x = {\n  a : 1,\n  bbb : 2\n}\n",
    ),
];

#[test]
fn template_cases() {
    for (input, want) in TEMPLATE_CASES {
        assert_eq!(&format(input).expect("formats"), want, "input:\n{input}");
    }
}

#[test]
fn template_cases_are_idempotent() {
    for (_, want) in TEMPLATE_CASES {
        let want = want.trim_start_matches('\u{feff}');
        assert_eq!(format(want).expect("formats"), want);
    }
}

#[test]
fn every_comment_survives() {
    let src =
        "# lead\n// slash\n/* block */\nb {\n  a = 1 # trailing\n  /* inner */ c = 2\n}\n# eof";
    let out = format(src).expect("formats");
    for comment in [
        "# lead\n",
        "// slash\n",
        "/* block */",
        "# trailing\n",
        "/* inner */",
        "# eof",
    ] {
        assert!(out.contains(comment), "{comment:?} lost from:\n{out}");
    }
}

#[test]
fn trailing_whitespace_at_end_of_file_is_kept_like_hclwrite() {
    assert_eq!(format("a=1  ").expect("formats"), "a = 1  ");
}

#[test]
fn broken_input_is_refused_with_offsets() {
    assert_eq!(
        format("a = \"open\n"),
        Err(FormatError::NewlineInString { offset: 9 })
    );
    assert_eq!(
        format("x = <<EOT\nbody\n"),
        Err(FormatError::UnterminatedHeredoc {
            offset: 4,
            marker: "EOT".into()
        })
    );
    let err = format("b {\n  a = \n}\n").expect_err("missing value");
    assert!(matches!(err, FormatError::Syntax { .. }), "{err:?}");
    let err = format("b {\n  a = 1\n").expect_err("unclosed block");
    assert!(matches!(err, FormatError::Syntax { .. }), "{err:?}");
}

#[test]
fn syntax_error_offsets_count_the_byte_order_mark() {
    let plain = format("a = = 1").expect_err("bad").offset();
    let with_bom = format("\u{feff}a = = 1").expect_err("bad").offset();
    assert_eq!(with_bom, plain + 3);
}
