//! Exact decimal arithmetic for `+`, `-` and `*`.
//!
//! cty computes with 512-bit floats, so `0.1 + 0.2` is 0.3 in Packer while
//! `f64` gives 0.30000000000000004. Numbers written in decimal are exact
//! here when taken at their shortest decimal form: the operation is done on
//! scaled integers and the result rounded to `f64` once, as cty's result is
//! when Packer prints it. Operands too long for that fall back to `f64`.

/// `(digits, scale)` with value `digits / 10^scale`.
fn parse(x: f64) -> Option<(i128, u32)> {
    if !x.is_finite() {
        return None;
    }
    // Rust prints the shortest decimal that round-trips, never in
    // exponent form.
    let text = format!("{x}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let scale = u32::try_from(frac.len()).ok()?;
    if int.trim_start_matches('-').len() + frac.len() > 30 {
        return None;
    }
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    Some((digits, scale))
}

fn to_f64(digits: i128, scale: u32) -> Option<f64> {
    let text = if scale == 0 {
        digits.to_string()
    } else {
        let neg = digits < 0;
        let abs = digits.unsigned_abs().to_string();
        let width = usize::try_from(scale).ok()? + 1;
        let padded = format!("{abs:0>width$}");
        let (int, frac) = padded.split_at(padded.len() - usize::try_from(scale).ok()?);
        format!("{}{int}.{frac}", if neg { "-" } else { "" })
    };
    text.parse().ok()
}

pub(super) fn add(a: f64, b: f64) -> Option<f64> {
    let (da, sa) = parse(a)?;
    let (db, sb) = parse(b)?;
    let scale = sa.max(sb);
    let ea = da.checked_mul(10i128.checked_pow(scale - sa)?)?;
    let eb = db.checked_mul(10i128.checked_pow(scale - sb)?)?;
    let sum = to_f64(ea.checked_add(eb)?, scale)?;
    // Keep the sign of a zero result as f64 would (-0 + -0 is -0).
    Some(if sum == 0.0 { a + b } else { sum })
}

pub(super) fn mul(a: f64, b: f64) -> Option<f64> {
    let (da, sa) = parse(a)?;
    let (db, sb) = parse(b)?;
    let product = to_f64(da.checked_mul(db)?, sa.checked_add(sb)?)?;
    Some(if product == 0.0 { a * b } else { product })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_sums_are_exact() {
        assert_eq!(add(0.1, 0.2), Some(0.3));
        assert_eq!(add(1.5, -0.25), Some(1.25));
        assert_eq!(add(-0.1, 0.1), Some(0.0));
        assert_eq!(mul(0.1, 3.0), Some(0.3));
        assert_eq!(mul(1.1, 1.1), Some(1.21));
        assert_eq!(add(1e300, 1.0), None);
    }
}
