//! Numbers rendered the way Go's `math/big` formats them, which is what
//! cty's `format` delegates to for its numeric verbs.
//!
//! The rounding itself comes from Rust's exact float formatting (ties to
//! even, like `big.Float`); this module lays the digits out as Go does:
//! `%e` exponents with a sign and at least two digits, `%g` switching to
//! exponent form below 1e-4 or at its precision, and the sign, zero and
//! width rules of `big.Float.Format` and `big.Int.Format`.

/// Flags, width and precision of one verb.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Spec {
    pub plus: bool,
    pub space: bool,
    pub zero: bool,
    pub minus: bool,
    pub sharp: bool,
    pub width: Option<usize>,
    pub prec: Option<usize>,
}

impl Spec {
    /// Go's fmt drops the zero flag when `-` is given: padding goes on the
    /// right, and zeros there would change the number.
    fn zero_pad(&self) -> bool {
        self.zero && !self.minus
    }
}

/// Decimal digits of a magnitude: value = 0.`mant` × 10^`exp`, without
/// leading or trailing zeros (empty for zero), as `big.Float`'s decimal.
struct Decimal {
    mant: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// Parse Rust's `{:e}` output ("1.2345e3").
    fn from_sci(s: &str) -> Decimal {
        let (m, e) = s.split_once('e').unwrap_or((s, "0"));
        let e: i64 = e.parse().unwrap_or(0);
        let digits: Vec<u8> = m.bytes().filter(u8::is_ascii_digit).collect();
        Decimal::normalized(digits, e + 1)
    }

    /// Parse Rust's `{:.N}` output ("123.4500").
    fn from_fixed(s: &str) -> Decimal {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let mut digits: Vec<u8> = int.bytes().collect();
        digits.extend(frac.bytes());
        let int_len = i64::try_from(int.len()).unwrap_or(0);
        Decimal::normalized(digits, int_len)
    }

    fn normalized(mut digits: Vec<u8>, mut exp: i64) -> Decimal {
        let leading = digits.iter().take_while(|d| **d == b'0').count();
        digits.drain(..leading);
        exp -= i64::try_from(leading).unwrap_or(0);
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            exp = 0;
        }
        Decimal { mant: digits, exp }
    }

    fn shortest(x: f64) -> Decimal {
        Decimal::from_sci(&format!("{x:e}"))
    }

    /// Rounded to `n` (≥ 1) significant digits.
    fn significant(x: f64, n: usize) -> Decimal {
        Decimal::from_sci(&format!("{:.*e}", n.saturating_sub(1), x))
    }

    /// Rounded to `n` digits after the decimal point.
    fn fixed(x: f64, n: usize) -> Decimal {
        Decimal::from_fixed(&format!("{x:.n$}"))
    }

    fn len(&self) -> i64 {
        i64::try_from(self.mant.len()).unwrap_or(i64::MAX)
    }

    /// The digit at position `i` (0 = first), '0' outside the digits.
    fn at(&self, i: i64) -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.mant.get(i).copied())
            .unwrap_or(b'0')
    }
}

/// `x` as `big.Float.Text(verb, prec)` (negative `prec`: shortest).
fn text(x: f64, verb: char, prec: i64) -> String {
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if x.is_infinite() {
        if x > 0.0 {
            out.push('+');
        }
        out.push_str("Inf");
        return out;
    }
    let x = x.abs();
    match verb {
        'e' | 'E' => {
            let (d, prec) = if prec < 0 {
                let d = Decimal::shortest(x);
                let p = d.len() - 1;
                (d, p)
            } else {
                (Decimal::significant(x, to_usize(prec + 1)), prec)
            };
            fmt_e(&mut out, verb, prec, &d);
        }
        'f' => {
            let (d, prec) = if prec < 0 {
                let d = Decimal::shortest(x);
                let p = (d.len() - d.exp).max(0);
                (d, p)
            } else {
                (Decimal::fixed(x, to_usize(prec)), prec)
            };
            fmt_f(&mut out, prec, &d);
        }
        _ => {
            let shortest = prec < 0;
            let (d, mut prec) = if shortest {
                let d = Decimal::shortest(x);
                let p = d.len();
                (d, p)
            } else {
                let p = prec.max(1);
                (Decimal::significant(x, to_usize(p)), p)
            };
            let mut eprec = prec;
            if eprec > d.len() && d.len() >= d.exp {
                eprec = d.len();
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.exp - 1;
            if exp < -4 || exp >= eprec {
                prec = prec.min(d.len());
                let e = if verb == 'G' { 'E' } else { 'e' };
                fmt_e(&mut out, e, prec - 1, &d);
            } else {
                if prec > d.exp {
                    prec = d.len();
                }
                fmt_f(&mut out, (prec - d.exp).max(0), &d);
            }
        }
    }
    out
}

fn to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

fn fmt_e(out: &mut String, verb: char, prec: i64, d: &Decimal) {
    out.push(char::from(d.at(0)));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(char::from(d.at(i)));
        }
    }
    out.push(if verb == 'E' { 'E' } else { 'e' });
    let exp = if d.mant.is_empty() { 0 } else { d.exp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let exp = exp.abs();
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
}

fn fmt_f(out: &mut String, prec: i64, d: &Decimal) {
    if d.exp > 0 {
        for i in 0..d.exp {
            out.push(char::from(d.at(i)));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            out.push(char::from(d.at(d.exp + i)));
        }
    }
}

/// `%e %E %f %g %G` with Go's flag, width and precision rules.
pub(super) fn float(x: f64, verb: char, spec: &Spec) -> String {
    let prec = match (spec.prec, verb) {
        (Some(p), _) => i64::try_from(p).unwrap_or(i64::MAX),
        (None, 'g' | 'G') => -1,
        (None, _) => 6,
    };
    let buf = text(x, verb, prec);
    let (sign, digits) = if let Some(rest) = buf.strip_prefix('-') {
        ("-", rest)
    } else if let Some(rest) = buf.strip_prefix('+') {
        (if spec.space { " " } else { "+" }, rest)
    } else if spec.plus {
        ("+", buf.as_str())
    } else if spec.space {
        (" ", buf.as_str())
    } else {
        ("", buf.as_str())
    };
    let used = sign.len() + digits.len();
    let padding = spec.width.map_or(0, |w| w.saturating_sub(used));
    if spec.zero_pad() && !x.is_infinite() {
        format!("{sign}{}{digits}", "0".repeat(padding))
    } else if spec.minus {
        format!("{sign}{digits}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{digits}", " ".repeat(padding))
    }
}

/// `big.Float.Text('g', -1)`: what cty's `%v` prints for a number.
pub(super) fn shortest_g(x: f64) -> String {
    text(x, 'g', -1)
}

/// `%b %d %o %x %X` of a whole number, with Go's `big.Int` rules; `None`
/// when `x` is not a whole number.
pub(super) fn integer(x: f64, verb: char, spec: &Spec) -> Option<String> {
    if !x.is_finite() || x.fract() != 0.0 {
        return None;
    }
    let mut digits = match verb {
        'b' => radix_digits(x.abs(), 1),
        'o' => radix_digits(x.abs(), 3),
        'x' | 'X' => radix_digits(x.abs(), 4),
        _ => format!("{:.0}", x.abs()),
    };
    if verb == 'X' {
        digits = digits.to_uppercase();
    }
    let sign = if x < 0.0 {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let prefix = match (spec.sharp, verb) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let mut zeros = 0;
    if let Some(p) = spec.prec {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if digits == "0" && p == 0 {
            return Some(String::new());
        }
    }
    let length = sign.len() + prefix.len() + zeros + digits.len();
    let (mut left, mut right) = (0, 0);
    if let Some(w) = spec.width.filter(|w| *w > length) {
        let d = w - length;
        if spec.minus {
            right = d;
        } else if spec.zero_pad() && spec.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    Some(format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    ))
}

/// Digits of a whole, non-negative `x` in base 2^`bits_per_digit`, exact
/// for every `f64` (they can exceed any integer type).
fn radix_digits(x: f64, bits_per_digit: usize) -> String {
    let raw = x.to_bits();
    let biased = i64::try_from((raw >> 52) & 0x7ff).unwrap_or(0);
    let fraction = raw & ((1u64 << 52) - 1);
    if biased == 0 {
        // Zero, or a subnormal, which is never whole.
        return "0".into();
    }
    let mantissa = fraction | (1u64 << 52);
    let shift = biased - 1075;
    let mut bits = if shift >= 0 {
        format!("{mantissa:b}{}", "0".repeat(to_usize(shift)))
    } else {
        format!("{:b}", mantissa >> shift.unsigned_abs())
    };
    let pad = (bits_per_digit - bits.len() % bits_per_digit) % bits_per_digit;
    bits.insert_str(0, &"0".repeat(pad));
    let digits: String = bits
        .as_bytes()
        .chunks(bits_per_digit)
        .map(|chunk| {
            let v = chunk
                .iter()
                .fold(0u32, |acc, b| acc * 2 + u32::from(*b == b'1'));
            char::from_digit(v, 16).unwrap_or('0')
        })
        .collect();
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::default()
    }

    #[test]
    fn floats_like_go() {
        assert_eq!(float(10.0, 'f', &spec()), "10.000000");
        assert_eq!(float(1000.0, 'e', &spec()), "1.000000e+03");
        assert_eq!(float(1000.0, 'E', &spec()), "1.000000E+03");
        assert_eq!(float(1000.0, 'g', &spec()), "1000");
        assert_eq!(float(1e-23, 'g', &spec()), "1e-23");
        assert_eq!(float(1e-23, 'G', &spec()), "1E-23");
        assert_eq!(
            float(
                1.06,
                'f',
                &Spec {
                    prec: Some(1),
                    ..spec()
                }
            ),
            "1.1"
        );
        assert_eq!(float(0.0, 'e', &spec()), "0.000000e+00");
        assert_eq!(
            float(
                123456789.0,
                'g',
                &Spec {
                    prec: Some(3),
                    ..spec()
                }
            ),
            "1.23e+08"
        );
        assert_eq!(
            float(
                100.0,
                'g',
                &Spec {
                    prec: Some(3),
                    ..spec()
                }
            ),
            "100"
        );
        assert_eq!(
            float(
                1.0,
                'g',
                &Spec {
                    prec: Some(3),
                    ..spec()
                }
            ),
            "1"
        );
    }

    #[test]
    fn float_flags() {
        assert_eq!(
            float(
                10.0,
                'f',
                &Spec {
                    plus: true,
                    ..spec()
                }
            ),
            "+10.000000"
        );
        assert_eq!(
            float(
                10.0,
                'f',
                &Spec {
                    space: true,
                    ..spec()
                }
            ),
            " 10.000000"
        );
        assert_eq!(
            float(
                -10.0,
                'f',
                &Spec {
                    space: true,
                    ..spec()
                }
            ),
            "-10.000000"
        );
        let w = Spec {
            width: Some(8),
            prec: Some(2),
            ..spec()
        };
        assert_eq!(float(-1.23456, 'f', &w), "   -1.23");
        assert_eq!(float(-1.23456, 'f', &Spec { zero: true, ..w }), "-0001.23");
        assert_eq!(float(1.23456, 'f', &Spec { minus: true, ..w }), "1.23    ");
        assert_eq!(float(f64::INFINITY, 'f', &spec()), "+Inf");
    }

    #[test]
    fn shortest_switches_to_exponent_at_a_million() {
        assert_eq!(shortest_g(2.0), "2");
        assert_eq!(shortest_g(0.5), "0.5");
        assert_eq!(shortest_g(123456.0), "123456");
        assert_eq!(shortest_g(1e6), "1e+06");
        assert_eq!(shortest_g(0.0001), "0.0001");
        assert_eq!(shortest_g(0.00001), "1e-05");
        assert_eq!(shortest_g(-2.5), "-2.5");
    }

    #[test]
    fn integers_like_big_int() {
        assert_eq!(integer(10.0, 'd', &spec()).as_deref(), Some("10"));
        assert_eq!(integer(5.0, 'b', &spec()).as_deref(), Some("101"));
        assert_eq!(integer(9.0, 'o', &spec()).as_deref(), Some("11"));
        assert_eq!(integer(254.0, 'x', &spec()).as_deref(), Some("fe"));
        assert_eq!(
            integer(
                254.0,
                'X',
                &Spec {
                    sharp: true,
                    ..spec()
                }
            )
            .as_deref(),
            Some("0XFE")
        );
        assert_eq!(
            integer(
                -42.0,
                'd',
                &Spec {
                    width: Some(6),
                    zero: true,
                    ..spec()
                }
            )
            .as_deref(),
            Some("-00042")
        );
        assert_eq!(
            integer(
                7.0,
                'd',
                &Spec {
                    prec: Some(3),
                    ..spec()
                }
            )
            .as_deref(),
            Some("007")
        );
        assert_eq!(
            integer(
                0.0,
                'd',
                &Spec {
                    prec: Some(0),
                    ..spec()
                }
            )
            .as_deref(),
            Some("")
        );
        assert_eq!(
            integer(
                10.0,
                'd',
                &Spec {
                    width: Some(5),
                    minus: true,
                    ..spec()
                }
            )
            .as_deref(),
            Some("10   ")
        );
        assert_eq!(integer(1.5, 'd', &spec()), None);
    }

    #[test]
    fn huge_integers_are_exact() {
        assert_eq!(
            integer(2f64.powi(70), 'x', &spec()).as_deref(),
            Some("400000000000000000")
        );
        assert_eq!(
            integer(2f64.powi(64), 'd', &spec()).as_deref(),
            Some("18446744073709551616")
        );
        assert_eq!(
            integer(2f64.powi(65), 'o', &spec()).as_deref(),
            Some("4000000000000000000000")
        );
    }
}
