//! Evaluator tests: expressions in, values or diagnostics out.

use super::{EvalContext, Evaluator, Scope};
use crate::source::SourceMap;
use crate::value::{Type, Value};
use std::collections::HashMap;

fn eval_with(src: &str, names: HashMap<String, Value>) -> Result<Value, String> {
    let sources = SourceMap::new();
    let ctx = EvalContext::new(sources.clone(), std::env::temp_dir());
    let (file, expr) =
        crate::parse::parse_expr(&sources, "test", src).map_err(|d| d.render(&sources))?;
    let ev = Evaluator::new(&ctx, file);
    ev.eval(&expr, &Scope::root(names))
        .map_err(|d| d.render(&sources))
}

fn eval(src: &str) -> Value {
    eval_with(src, HashMap::new()).unwrap_or_else(|e| panic!("{src}: {e}"))
}

fn eval_err(src: &str) -> String {
    eval_with(src, HashMap::new()).expect_err(src)
}

fn s(x: &str) -> Value {
    Value::from(x)
}

#[test]
fn literals_and_collections() {
    assert_eq!(eval("1.5"), Value::Number(1.5));
    assert_eq!(eval("\"a\\nb\""), s("a\nb"));
    assert_eq!(eval("[1, \"a\"]"), Value::Tuple(vec![1.0.into(), s("a")]));
    assert_eq!(
        eval("{ a = 1, \"b\" = 2 }"),
        Value::object([("a", Value::from(1.0)), ("b", 2.0.into())])
    );
}

#[test]
fn arithmetic_and_logic() {
    assert_eq!(eval("1 + 2 * 3"), Value::Number(7.0));
    assert_eq!(eval("\"3\" + 1"), Value::Number(4.0));
    assert_eq!(eval("7 % 3"), Value::Number(1.0));
    assert_eq!(eval("1 < 2 && !false"), Value::Bool(true));
    assert_eq!(eval("[1, 2] == [1, 2]"), Value::Bool(true));
    assert_eq!(eval("\"1\" == 1"), Value::Bool(false));
    assert!(eval_err("1 / 0").contains("divide by zero"));
    assert!(eval_err("true + 1").contains("Unsuitable value for operand"));
}

#[test]
fn templates() {
    assert_eq!(eval("\"a ${1 + 1} b\""), s("a 2 b"));
    assert_eq!(eval("\"$${x}\""), s("${x}"));
    assert_eq!(eval("\"%{ if true }yes%{ else }no%{ endif }\""), s("yes"));
    assert_eq!(eval("\"%{ for x in [1, 2] }${x},%{ endfor }\""), s("1,2,"));
    assert_eq!(eval("\"a   ${~ \"b\" ~}   c\""), s("abc"));
    assert_eq!(eval("\"${[1]}\""), Value::Tuple(vec![1.0.into()]));
    assert_eq!(
        eval("<<-EOT\n    hello\n      ${\"x\"}\n    EOT"),
        s("hello\n  x\n")
    );
    assert!(eval_err("\"a${null}\"").contains("The expression result is null"));
}

#[test]
fn for_expressions() {
    assert_eq!(
        eval("[for x in [1, 2, 3] : x * 2 if x > 1]"),
        Value::Tuple(vec![4.0.into(), 6.0.into()])
    );
    assert_eq!(
        eval("{ for k, v in { a = 1, b = 2 } : v => k }"),
        Value::object([("1", s("a")), ("2", s("b"))])
    );
    assert_eq!(
        eval("{ for x in [\"a\", \"b\", \"a\"] : x => x... }"),
        Value::object([
            ("a", Value::Tuple(vec![s("a"), s("a")])),
            ("b", Value::Tuple(vec![s("b")]))
        ])
    );
    assert!(eval_err("{ for x in [\"a\", \"a\"] : x => x }").contains("Duplicate object key"));
}

#[test]
fn traversals_and_splats() {
    assert_eq!(eval("{ a = [10, 20] }.a[1]"), Value::Number(20.0));
    assert_eq!(
        eval("[{ n = 1 }, { n = 2 }][*].n"),
        Value::Tuple(vec![1.0.into(), 2.0.into()])
    );
    assert_eq!(
        eval("[{ n = [1] }, { n = [2] }].*.n"),
        Value::Tuple(vec![
            Value::Tuple(vec![1.0.into()]),
            Value::Tuple(vec![2.0.into()])
        ])
    );
    let e = eval_err("{ abc = 1 }.abd");
    assert!(
        e.contains("does not have an attribute named \"abd\""),
        "{e}"
    );
    assert!(e.contains("Did you mean \"abc\"?"), "{e}");
    assert!(eval_err("[1][5]").contains("Invalid index"));
}

#[test]
fn conditionals_unify_types() {
    assert_eq!(eval("true ? 1 : \"a\""), s("1"));
    assert_eq!(eval("false ? 1 : 2"), Value::Number(2.0));
}

#[test]
fn unknowns_propagate() {
    let mut names = HashMap::new();
    names.insert("build".to_string(), Value::Unknown(Type::Any));
    let v = eval_with("\"id-${build.ID}\"", names.clone()).expect("evaluates");
    assert_eq!(v, Value::Unknown(Type::String));
    let v = eval_with("build.ID == \"x\"", names).expect("evaluates");
    assert_eq!(v, Value::Unknown(Type::Bool));
}

#[test]
fn special_functions() {
    assert_eq!(eval("try({}.a, \"fallback\")"), s("fallback"));
    assert_eq!(eval("can({}.a)"), Value::Bool(false));
    assert_eq!(eval("convert(\"5\", number)"), Value::Number(5.0));
    assert_eq!(
        eval("convert([1], list(string))"),
        Value::List(vec![s("1")])
    );
    let e = eval_err("nosuchfn(1)");
    assert!(e.contains("There is no function named \"nosuchfn\""), "{e}");
    assert!(eval_err("env(\"HOME\")").contains("There is no function named \"env\""));
}

#[test]
fn unknown_variable_has_location() {
    let e = eval_err("1 + foo");
    assert!(e.contains("There is no variable named \"foo\""), "{e}");
    assert!(e.contains("test:1:5"), "{e}");
}

#[test]
fn heredoc_directives_are_dedented_too() {
    let src = "<<-EOT\n    %{ for x in [\"a\", \"b\"] }\n    - ${x}\n    %{ endfor }\n    EOT";
    assert_eq!(eval(src), s("\n- a\n\n- b\n\n"));
}
