//! Numeric functions: `abs`, `ceil`, `floor`, `log`, `max`, `min`,
//! `parseint`, `pow` and `signum`.

use super::args::{at, int_at, num_at};
use super::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};
use kiln_gocompat::quote::quote as quote_str;

pub(super) fn register(lib: &mut Library) {
    let one = || vec![Param::new("num", Type::Number)];
    lib.insert("abs", Function::new(one(), abs));
    lib.insert("ceil", Function::new(one(), ceil));
    lib.insert("floor", Function::new(one(), floor));
    lib.insert("signum", Function::new(one(), signum));
    lib.insert(
        "log",
        Function::new(
            vec![
                Param::new("num", Type::Number),
                Param::new("base", Type::Number),
            ],
            log,
        ),
    );
    lib.insert(
        "pow",
        Function::new(
            vec![
                Param::new("num", Type::Number),
                Param::new("power", Type::Number),
            ],
            pow,
        ),
    );
    let numbers = || Param::new("numbers", Type::Number);
    lib.insert("max", Function::new(vec![], max).variadic(numbers()));
    lib.insert("min", Function::new(vec![], min).variadic(numbers()));
    lib.insert(
        "parseint",
        Function::new(
            vec![
                Param::new("number", Type::Any),
                Param::new("base", Type::Number),
            ],
            parseint,
        ),
    );
}

fn abs(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(Value::Number(num_at(&args, 0)?.abs()))
}

fn ceil(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(Value::Number(num_at(&args, 0)?.ceil()))
}

fn floor(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(Value::Number(num_at(&args, 0)?.floor()))
}

/// cty only takes the sign of whole numbers.
fn signum(_: &CallContext, args: Vec<Value>) -> FuncResult {
    Ok(Value::from(int_at(&args, 0)?.signum()))
}

/// cty numbers cannot be NaN; where Go would panic building one, say so.
fn finite_or_infinite(n: f64, what: &str) -> FuncResult {
    if n.is_nan() {
        Err(FuncError::new(format!("{what} is not a real number")))
    } else {
        Ok(Value::Number(n))
    }
}

fn log(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let num = num_at(&args, 0)?;
    let base = num_at(&args, 1)?;
    finite_or_infinite(num.ln() / base.ln(), "the logarithm")
}

fn pow(_: &CallContext, args: Vec<Value>) -> FuncResult {
    finite_or_infinite(num_at(&args, 0)?.powf(num_at(&args, 1)?), "the power")
}

fn extreme(args: &[Value], pick: fn(f64, f64) -> f64) -> FuncResult {
    let mut nums = args.iter().filter_map(Value::as_number);
    let first = nums
        .next()
        .ok_or_else(|| FuncError::new("must pass at least one number"))?;
    Ok(Value::Number(nums.fold(first, pick)))
}

fn max(_: &CallContext, args: Vec<Value>) -> FuncResult {
    extreme(&args, f64::max)
}

fn min(_: &CallContext, args: Vec<Value>) -> FuncResult {
    extreme(&args, f64::min)
}

/// Go's `big.Int.SetString` digits: case-insensitive up to base 36, then
/// lower case before upper case up to base 62.
fn digit_value(c: char, base: u32) -> Option<u32> {
    let v = match c {
        '0'..='9' => u32::from(c) - u32::from('0'),
        'a'..='z' => u32::from(c) - u32::from('a') + 10,
        'A'..='Z' if base <= 36 => u32::from(c) - u32::from('A') + 10,
        'A'..='Z' => u32::from(c) - u32::from('A') + 36,
        _ => return None,
    };
    (v < base).then_some(v)
}

fn parse_integer(s: &str, base: u32) -> Option<f64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() {
        return None;
    }
    // Exact while it fits 128 bits; beyond that, as close as f64 gets.
    let mut exact: Option<u128> = Some(0);
    let mut approx = 0.0f64;
    for c in digits.chars() {
        let d = digit_value(c, base)?;
        exact = exact
            .and_then(|e| e.checked_mul(u128::from(base)))
            .and_then(|e| e.checked_add(u128::from(d)));
        approx = approx * f64::from(base) + f64::from(d);
    }
    // u128 → f64 rounds to nearest, which is the best an f64 can hold.
    #[allow(clippy::cast_precision_loss)]
    let magnitude = exact.map_or(approx, |e| e as f64);
    Some(if negative { -magnitude } else { magnitude })
}

fn parseint(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let s = match at(&args, 0) {
        Value::String(s) => s,
        other => {
            return Err(FuncError::arg(
                0,
                format!(
                    "first argument must be a string, not {}",
                    other.friendly_type()
                ),
            ))
        }
    };
    let base = int_at(&args, 1)?;
    let base = u32::try_from(base)
        .ok()
        .filter(|b| (2..=62).contains(b))
        .ok_or_else(|| {
            FuncError::arg(1, "base must be a whole number between 2 and 62 inclusive")
        })?;
    parse_integer(s, base).map(Value::Number).ok_or_else(|| {
        FuncError::arg(
            0,
            format!("cannot parse {} as a base {base} integer", quote_str(s)),
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::Value;

    fn num(name: &str, args: &[f64]) -> Result<Value, FuncError> {
        call(name, args.iter().map(|n| Value::from(*n)).collect())
    }

    #[test]
    fn abs_ceil_floor() {
        assert_eq!(num("abs", &[-12.4]), Ok(12.4.into()));
        assert_eq!(num("abs", &[0.0]), Ok(0.0.into()));
        assert_eq!(num("ceil", &[5.1]), Ok(6.0.into()));
        assert_eq!(num("ceil", &[-5.1]), Ok((-5.0).into()));
        assert_eq!(num("floor", &[4.9]), Ok(4.0.into()));
        assert_eq!(num("floor", &[-4.1]), Ok((-5.0).into()));
        assert_eq!(num("floor", &[f64::INFINITY]), Ok(f64::INFINITY.into()));
        assert_eq!(call("abs", vec!["-3".into()]), Ok(3.0.into()));
    }

    #[test]
    fn log_and_pow() {
        assert_eq!(
            num("log", &[50.0, 10.0])
                .ok()
                .and_then(|v| v.as_number())
                .map(|n| (n * 1e6).round()),
            Some(1_698_970.0)
        );
        assert_eq!(num("log", &[16.0, 2.0]), Ok(4.0.into()));
        assert_eq!(num("log", &[0.0, 10.0]), Ok(f64::NEG_INFINITY.into()));
        assert!(num("log", &[-1.0, 10.0]).is_err());
        assert_eq!(num("pow", &[3.0, 2.0]), Ok(9.0.into()));
        assert_eq!(num("pow", &[4.0, 0.0]), Ok(1.0.into()));
        assert_eq!(num("pow", &[2.0, -1.0]), Ok(0.5.into()));
        assert!(num("pow", &[-8.0, 1.0 / 3.0]).is_err());
    }

    #[test]
    fn max_min() {
        assert_eq!(num("max", &[12.0, 54.0, 3.0]), Ok(54.0.into()));
        assert_eq!(num("min", &[12.0, 54.0, 3.0]), Ok(3.0.into()));
        assert_eq!(call("max", vec!["7".into(), 5.0.into()]), Ok(7.0.into()));
        assert_eq!(
            num("max", &[]),
            Err(FuncError::new("must pass at least one number"))
        );
    }

    #[test]
    fn signum_of_whole_numbers() {
        assert_eq!(num("signum", &[-13.0]), Ok((-1.0).into()));
        assert_eq!(num("signum", &[0.0]), Ok(0.0.into()));
        assert_eq!(num("signum", &[344.0]), Ok(1.0.into()));
        assert_eq!(
            num("signum", &[0.5]),
            Err(FuncError::arg(0, "value must be a whole number"))
        );
    }

    #[test]
    fn parseint_bases() {
        let p = |s: &str, b: f64| call("parseint", vec![s.into(), b.into()]);
        assert_eq!(p("100", 10.0), Ok(100.0.into()));
        assert_eq!(p("FF", 16.0), Ok(255.0.into()));
        assert_eq!(p("ff", 16.0), Ok(255.0.into()));
        assert_eq!(p("-10", 16.0), Ok((-16.0).into()));
        assert_eq!(p("+1011", 2.0), Ok(11.0.into()));
        assert_eq!(p("zz", 36.0), Ok(1295.0.into()));
        assert_eq!(p("aA", 62.0), Ok((10.0 * 62.0 + 36.0).into()));
        assert_eq!(
            p("18446744073709551616", 10.0),
            Ok(18_446_744_073_709_551_616.0.into())
        );
    }

    #[test]
    fn parseint_errors() {
        let p = |s: &str, b: f64| call("parseint", vec![s.into(), b.into()]);
        assert_eq!(
            p("12", 2.0),
            Err(FuncError::arg(0, "cannot parse \"12\" as a base 2 integer"))
        );
        assert_eq!(
            p("", 10.0),
            Err(FuncError::arg(0, "cannot parse \"\" as a base 10 integer"))
        );
        assert_eq!(
            p("0x10", 16.0),
            Err(FuncError::arg(
                0,
                "cannot parse \"0x10\" as a base 16 integer"
            ))
        );
        assert_eq!(
            p("1", 1.0),
            Err(FuncError::arg(
                1,
                "base must be a whole number between 2 and 62 inclusive"
            ))
        );
        assert_eq!(
            p("1", 63.0),
            Err(FuncError::arg(
                1,
                "base must be a whole number between 2 and 62 inclusive"
            ))
        );
        assert_eq!(
            p("1", 2.5),
            Err(FuncError::arg(1, "value must be a whole number"))
        );
        assert_eq!(
            call("parseint", vec![10.0.into(), 10.0.into()]),
            Err(FuncError::arg(
                0,
                "first argument must be a string, not number"
            ))
        );
    }
}
