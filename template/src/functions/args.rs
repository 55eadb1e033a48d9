//! Reading already-converted arguments inside function implementations.
//!
//! The evaluator converts every argument to its parameter's type before a
//! call, so a `string` parameter always holds a `Value::String`. These
//! helpers still return errors rather than panicking so that a bug in a
//! signature shows up as a diagnostic, not a crash.

use super::FuncError;
use crate::value::Value;
use unicode_segmentation::UnicodeSegmentation;

/// The value of argument `i`, or null when it is missing.
pub(super) fn at(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

pub(super) fn str_at(args: &[Value], i: usize) -> Result<&str, FuncError> {
    at(args, i)
        .as_str()
        .ok_or_else(|| FuncError::arg(i, "string required"))
}

pub(super) fn num_at(args: &[Value], i: usize) -> Result<f64, FuncError> {
    at(args, i)
        .as_number()
        .ok_or_else(|| FuncError::arg(i, "number required"))
}

/// Elements of a list, set or tuple argument.
pub(super) fn seq_at(args: &[Value], i: usize) -> Result<&[Value], FuncError> {
    at(args, i)
        .as_seq()
        .ok_or_else(|| FuncError::arg(i, "list, set or tuple required"))
}

/// The largest magnitude below which every integer is exact in an `f64`;
/// cty's numbers are arbitrary precision, ours stop being whole numbers
/// we can trust beyond it.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Argument `i` as a whole number, with cty's (gocty) wording when it is
/// not one.
pub(super) fn int_at(args: &[Value], i: usize) -> Result<i64, FuncError> {
    whole_number(num_at(args, i)?).map_err(|m| FuncError::arg(i, m))
}

/// `n` as an `i64`, or cty's message for why it cannot be one.
pub(super) fn whole_number(n: f64) -> Result<i64, String> {
    if n.fract() != 0.0 || !n.is_finite() {
        return Err("value must be a whole number".into());
    }
    if n.abs() > MAX_EXACT {
        return Err(format!(
            "value must be a whole number, between {} and {}",
            -MAX_EXACT, MAX_EXACT
        ));
    }
    // In range and integral, so the cast is exact.
    #[allow(clippy::cast_possible_truncation)]
    Ok(n as i64)
}

/// Length in user-perceived characters (extended grapheme clusters), as cty
/// counts string length.
pub(super) fn grapheme_len(s: &str) -> usize {
    s.graphemes(true).count()
}

/// `usize` to a cty number.
pub(super) fn count(n: usize) -> Value {
    // Collections never get near 2^53 elements.
    #[allow(clippy::cast_precision_loss)]
    Value::Number(n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers() {
        assert_eq!(whole_number(3.0), Ok(3));
        assert_eq!(whole_number(-2.0), Ok(-2));
        assert_eq!(
            whole_number(1.5),
            Err("value must be a whole number".into())
        );
        assert!(whole_number(f64::INFINITY).is_err());
        assert!(whole_number(1e300).is_err());
    }

    #[test]
    fn graphemes_not_chars() {
        assert_eq!(grapheme_len("💃🏿"), 1);
        assert_eq!(grapheme_len("e\u{301}a"), 2);
    }
}
