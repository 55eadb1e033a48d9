//! Numbers for integer and float fields, with cty's conversions and gocty's
//! range messages.

use crate::value::{convert, Type, Value};

/// The value as a number: numbers as they are, strings parsed the way cty
/// converts them ("1024" → 1024).
pub(crate) fn to_number(v: &Value) -> Result<f64, String> {
    match convert(v.clone(), &Type::Number) {
        Ok(Value::Number(n)) => Ok(n),
        Ok(_) => Err("number required".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// A whole number within `min..=max`. Wording as gocty's when it reads a
/// number into a Go int.
pub(crate) fn to_signed(v: &Value, min: i64, max: i64) -> Result<i64, String> {
    let n = to_number(v)?;
    whole(n)
        .filter(|i| *i >= i128::from(min) && *i <= i128::from(max))
        .and_then(|i| i64::try_from(i).ok())
        .ok_or_else(|| format!("value must be a whole number, between {min} and {max}"))
}

/// A whole number within `0..=max`, worded as gocty's unsigned conversion.
pub(crate) fn to_unsigned(v: &Value, max: u64) -> Result<u64, String> {
    let n = to_number(v)?;
    whole(n)
        .filter(|i| *i >= 0 && *i <= i128::from(max))
        .and_then(|i| u64::try_from(i).ok())
        .ok_or_else(|| format!("value must be a whole number, between 0 and {max} inclusive"))
}

/// The number as an integer if it is whole and small enough that the float
/// to integer cast is exact.
pub(crate) fn whole(n: f64) -> Option<i128> {
    // 2^100 is far outside every integer type serde knows but keeps the
    // cast below exact.
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1.267_650_600_228_229_4e30 {
        #[allow(clippy::cast_possible_truncation)]
        return Some(n as i128);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_convert_to_integers() {
        assert_eq!(
            to_signed(&"1024".into(), i64::from(i32::MIN), i64::from(i32::MAX)),
            Ok(1024)
        );
        assert_eq!(
            to_unsigned(&Value::Number(65535.0), u64::from(u16::MAX)),
            Ok(65535)
        );
    }

    #[test]
    fn fractions_and_out_of_range_are_refused() {
        assert_eq!(
            to_signed(&Value::Number(1.5), i64::from(i8::MIN), i64::from(i8::MAX)),
            Err("value must be a whole number, between -128 and 127".to_owned())
        );
        assert_eq!(
            to_unsigned(&Value::Number(-1.0), u64::from(u16::MAX)),
            Err("value must be a whole number, between 0 and 65535 inclusive".to_owned())
        );
        assert_eq!(
            to_unsigned(&Value::Number(1.8446744073709552e19), u64::MAX),
            Err(
                "value must be a whole number, between 0 and 18446744073709551615 inclusive"
                    .to_owned()
            )
        );
        assert_eq!(
            to_signed(&"abc".into(), 0, 1),
            Err("a number is required".to_owned())
        );
        assert_eq!(
            to_signed(&Value::Bool(true), 0, 1),
            Err("number required".to_owned())
        );
    }
}
