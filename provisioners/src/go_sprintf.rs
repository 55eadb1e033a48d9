//! Go's `fmt.Sprintf` for string arguments, enough for Packer's
//! `env_var_format` (`"%s='%s' "`, `"export %s=%s\n"`), including Go's
//! in-band complaints about missing or extra arguments.

/// Format `args` into `format` as Go would with string operands. Flags and
/// widths are not interpreted (Packer's formats never use them); `%s`,
/// `%v` and `%q` take the next argument, `%%` is a percent sign.
pub fn sprintf(format: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(format.len() + args.iter().map(|a| a.len()).sum::<usize>());
    let mut used = 0;
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = args.get(used);
        used += 1;
        match (verb, arg) {
            ('s' | 'v', Some(a)) => out.push_str(a),
            ('q', Some(a)) => out.push_str(&kiln_gocompat::quote::quote(a)),
            (v, None) => out.push_str(&format!("%!{v}(MISSING)")),
            (v, Some(a)) => out.push_str(&format!("%!{v}(string={a})")),
        }
    }
    let extra: Vec<String> = args
        .iter()
        .skip(used)
        .map(|a| format!("string={a}"))
        .collect();
    if !extra.is_empty() {
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(sprintf("%s='%s' ", &["A", "b"]), "A='b' ");
        assert_eq!(sprintf("export %s=%s\n", &["A", "b"]), "export A=b\n");
        assert_eq!(sprintf("100%% %s", &["x"]), "100% x");
        assert_eq!(sprintf("%s", &["A", "b"]), "A%!(EXTRA string=b)");
        assert_eq!(sprintf("%s %s %s", &["A", "b"]), "A b %!s(MISSING)");
        assert_eq!(sprintf("%d", &["A"]), "%!d(string=A)");
        assert_eq!(sprintf("%q=%q", &["A", "b\"c"]), "\"A\"=\"b\\\"c\"");
        assert_eq!(sprintf("%q", &["a\u{1}b"]), "\"a\\x01b\"");
    }
}
