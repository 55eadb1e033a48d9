//! `kiln console`: evaluate expressions against a template, typed at a
//! prompt or piped on stdin (one expression per line).

use super::common;
use super::flags::{self, flag, Kind};
use kiln_gocompat::quote::quote as go_quote;
use kiln_template::config::Config;
use kiln_template::eval::Evaluator;
use kiln_template::parse;
use kiln_template::value::printable;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

pub const HELP: &str = "Usage: kiln console [options] [TEMPLATE]

  Starts an interactive console to evaluate expressions against a template's
  variables, locals and functions. Without a TEMPLATE, only functions are
  available. Expressions can also be piped on stdin, one per line.

Options:
  -var 'key=value'       Variable for templates, can be used multiple times.
  -var-file=path         JSON or HCL2 file containing user variables.
";

pub fn run(args: &[String]) -> anyhow::Result<i32> {
    let mut spec = common::VAR_FLAGS.to_vec();
    spec.push(flag("config-type", Kind::Value));
    let p = match flags::parse(args, &spec) {
        Ok(p) => p,
        Err(e) => return super::usage_error(&e, HELP),
    };
    let cfg = match p.args.as_slice() {
        [] => None,
        [path] => match common::load(Path::new(path), &p, false)? {
            Some(c) => Some(c),
            None => return Ok(1),
        },
        _ => return super::usage_error("console expects at most one argument: the template", HELP),
    };
    let cfg = cfg.unwrap_or_else(|| Config::empty(Path::new(".")));
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut failed = false;
    let mut stdout = std::io::stdout();
    let mut line = String::new();
    loop {
        if interactive {
            print!("> ");
            stdout.flush()?;
        }
        line.clear();
        if stdin.lock().read_line(&mut line)? == 0 {
            break;
        }
        let input = line.trim();
        match input {
            "" => continue,
            "exit" => break,
            "help" => {
                println!("Enter an expression to evaluate it, `variables` to list variables, `exit` to quit.");
                continue;
            }
            "variables" => {
                for (name, v) in &cfg.variables {
                    let shown = if v.sensitive {
                        "<sensitive>".to_owned()
                    } else {
                        printable(&v.value)
                    };
                    println!("var.{name}: {}", go_quote(&shown));
                }
                continue;
            }
            _ => {}
        }
        match evaluate(&cfg, input) {
            Ok(text) => println!("{}", common::mask(&text, &cfg.sensitive_values())),
            Err(text) => {
                failed = true;
                eprintln!("{}", common::mask(&text, &cfg.sensitive_values()));
            }
        }
    }
    Ok(i32::from(failed && !interactive))
}

fn evaluate(cfg: &Config, input: &str) -> Result<String, String> {
    let sources = cfg.sources();
    let (file, expr) =
        parse::parse_expr(sources, "<console-input>", input).map_err(|d| d.render(sources))?;
    let ev = Evaluator::new(&cfg.ctx, file);
    let scope = cfg.scope();
    ev.eval(&expr, &scope)
        .map(|v| printable(&v))
        .map_err(|d| d.render(sources))
}
