//! Reading a number argument into a whole number, as go-cty's `gocty` does
//! when a function wants a Go `int` (bcrypt's cost, cidr arguments).

/// The number as an `i64`, or gocty's error when it has a fraction or does
/// not fit.
pub(super) fn to_int(n: f64) -> Result<i64, String> {
    // 2^63 is exactly representable; every f64 below it with no fraction
    // fits an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if n.is_finite() && n.fract() == 0.0 && (-LIMIT..LIMIT).contains(&n) {
        // In range and whole, checked just above.
        #[allow(clippy::cast_possible_truncation)]
        return Ok(n as i64);
    }
    Err(format!(
        "value must be a whole number, between {} and {}",
        i64::MIN,
        i64::MAX
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_convert() {
        assert_eq!(to_int(3.0), Ok(3));
        assert_eq!(to_int(-7.0), Ok(-7));
    }

    #[test]
    fn fractions_and_infinities_are_refused() {
        let want =
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807";
        assert_eq!(to_int(1.5), Err(want.to_string()));
        assert_eq!(to_int(f64::INFINITY), Err(want.to_string()));
        assert_eq!(to_int(1e19), Err(want.to_string()));
    }
}
