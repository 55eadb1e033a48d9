//! Folds and generators: `alltrue`, `anytrue`, `sum` and `range`.

use crate::functions::args::{at, seq_at};
use crate::functions::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{convert, Type, Value};

pub(super) fn register(lib: &mut Library) {
    let bools = || vec![Param::new("list", Type::list(Type::Bool))];
    lib.insert("alltrue", Function::new(bools(), alltrue));
    lib.insert("anytrue", Function::new(bools(), anytrue));
    lib.insert(
        "sum",
        Function::new(vec![Param::new("list", Type::Any)], sum),
    );
    lib.insert(
        "range",
        Function::new(vec![], range).variadic(Param::new("params", Type::Number)),
    );
}

/// True when every element is true (a null counts as false).
fn alltrue(_: &CallContext, args: Vec<Value>) -> FuncResult {
    for item in seq_at(&args, 0)? {
        match item {
            Value::Unknown(_) => return Ok(Value::Unknown(Type::Bool)),
            Value::Bool(true) => {}
            _ => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}

/// True when any element is true; nulls are skipped, and unknowns only
/// matter when nothing known is true.
fn anytrue(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let mut unknown = false;
    for item in seq_at(&args, 0)? {
        match item {
            Value::Bool(true) => return Ok(Value::Bool(true)),
            Value::Unknown(_) => unknown = true,
            _ => {}
        }
    }
    Ok(if unknown {
        Value::Unknown(Type::Bool)
    } else {
        Value::Bool(false)
    })
}

/// Packer's `sum` of a list, set or tuple of numbers.
fn sum(_: &CallContext, args: Vec<Value>) -> FuncResult {
    const NOT_NUMBERS: &str = "argument must be list, set, or tuple of number values";
    let arg = at(&args, 0);
    let len = match arg {
        Value::List(v) | Value::Set(v) | Value::Tuple(v) => v.len(),
        Value::Map(m) | Value::Object(m) => m.len(),
        _ => return Err(FuncError::arg(0, "cannot sum noniterable")),
    };
    if len == 0 {
        return Err(FuncError::arg(0, "cannot sum an empty list"));
    }
    let Some(items) = arg.as_seq() else {
        return Err(FuncError::arg(
            0,
            format!(
                "argument must be list, set, or tuple. Received {}",
                arg.friendly_type()
            ),
        ));
    };
    if !arg.is_wholly_known() {
        return Ok(Value::Unknown(Type::Number));
    }
    let mut total = 0.0;
    for item in items {
        if item.is_null() {
            return Err(FuncError::arg(0, NOT_NUMBERS));
        }
        let n = convert(item.clone(), &Type::Number)
            .ok()
            .and_then(|v| v.as_number())
            .ok_or_else(|| FuncError::arg(0, NOT_NUMBERS))?;
        total += n;
        if total.is_nan() {
            return Err(FuncError::new("can't compute sum of opposing infinities"));
        }
    }
    Ok(Value::Number(total))
}

/// cty caps `range` so a typo cannot exhaust memory.
const RANGE_LIMIT: usize = 1024;

/// `range(end)`, `range(start, end)` or `range(start, end, step)`.
fn range(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let nums: Vec<f64> = args.iter().filter_map(Value::as_number).collect();
    let (start, end, step) = match nums.as_slice() {
        [end] => (0.0, *end, if *end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (*start, *end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (*start, *end, *step),
        _ => return Err(FuncError::new("must have one, two, or three arguments")),
    };
    // cty never rejects a zero step (its check compares value identities),
    // so a zero step runs into the element cap below, as it does there.
    let down = step < 0.0;
    if down && end > start {
        return Err(FuncError::arg(
            1,
            "end must be less than start when step is negative",
        ));
    }
    if !down && end < start {
        return Err(FuncError::arg(
            1,
            "end must be greater than start when step is positive",
        ));
    }
    let mut out = Vec::new();
    let mut i = 0.0;
    loop {
        // Multiplying rather than adding repeatedly keeps fractional steps
        // from accumulating rounding error (0.1 × 3, not 0.1 + 0.1 + 0.1).
        let n = start + step * i;
        if (down && n <= end) || (!down && n >= end) {
            break;
        }
        if out.len() >= RANGE_LIMIT {
            return Err(FuncError::new(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        out.push(Value::Number(n));
        i += 1.0;
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use crate::functions::{call, FuncError};
    use crate::value::{Type, Value};

    fn bools(items: &[Value]) -> Value {
        Value::List(items.to_vec())
    }

    fn nums(items: &[f64]) -> Value {
        Value::List(items.iter().map(|n| Value::from(*n)).collect())
    }

    #[test]
    fn alltrue_cases() {
        assert_eq!(call("alltrue", vec![bools(&[])]), Ok(true.into()));
        assert_eq!(
            call("alltrue", vec![bools(&[true.into(), "true".into()])]),
            Ok(true.into())
        );
        assert_eq!(
            call("alltrue", vec![bools(&[true.into(), false.into()])]),
            Ok(false.into())
        );
        assert_eq!(
            call("alltrue", vec![bools(&[true.into(), Value::Null])]),
            Ok(false.into())
        );
        assert_eq!(
            call(
                "alltrue",
                vec![bools(&[true.into(), Value::Unknown(Type::Bool)])]
            ),
            Ok(Value::Unknown(Type::Bool))
        );
        assert!(call("alltrue", vec![bools(&["yes".into()])]).is_err());
    }

    #[test]
    fn anytrue_cases() {
        assert_eq!(call("anytrue", vec![bools(&[])]), Ok(false.into()));
        assert_eq!(
            call("anytrue", vec![bools(&[false.into(), true.into()])]),
            Ok(true.into())
        );
        assert_eq!(
            call("anytrue", vec![bools(&[Value::Null, false.into()])]),
            Ok(false.into())
        );
        assert_eq!(
            call(
                "anytrue",
                vec![bools(&[Value::Unknown(Type::Bool), true.into()])]
            ),
            Ok(true.into())
        );
        assert_eq!(
            call(
                "anytrue",
                vec![bools(&[Value::Unknown(Type::Bool), false.into()])]
            ),
            Ok(Value::Unknown(Type::Bool))
        );
    }

    #[test]
    fn sum_numbers() {
        assert_eq!(
            call("sum", vec![nums(&[10.0, 13.0, 6.0, 4.5])]),
            Ok(33.5.into())
        );
        assert_eq!(
            call("sum", vec![Value::Tuple(vec![1.0.into(), "2".into()])]),
            Ok(3.0.into())
        );
        assert_eq!(
            call("sum", vec![Value::set([1.0.into(), 2.0.into()])]),
            Ok(3.0.into())
        );
        assert_eq!(
            call(
                "sum",
                vec![Value::Tuple(vec![1.0.into(), Value::Unknown(Type::Number)])]
            ),
            Ok(Value::Unknown(Type::Number))
        );
    }

    #[test]
    fn sum_errors() {
        assert_eq!(
            call("sum", vec![nums(&[])]),
            Err(FuncError::arg(0, "cannot sum an empty list"))
        );
        assert_eq!(
            call("sum", vec![1.0.into()]),
            Err(FuncError::arg(0, "cannot sum noniterable"))
        );
        assert_eq!(
            call("sum", vec![Value::object([("a", Value::from(1.0))])]),
            Err(FuncError::arg(
                0,
                "argument must be list, set, or tuple. Received object"
            ))
        );
        assert_eq!(
            call("sum", vec![Value::Tuple(vec![1.0.into(), "x".into()])]),
            Err(FuncError::arg(
                0,
                "argument must be list, set, or tuple of number values"
            ))
        );
        assert_eq!(
            call("sum", vec![nums(&[f64::INFINITY, f64::NEG_INFINITY])]),
            Err(FuncError::new("can't compute sum of opposing infinities"))
        );
    }

    #[test]
    fn range_forms() {
        assert_eq!(call("range", vec![3.0.into()]), Ok(nums(&[0.0, 1.0, 2.0])));
        assert_eq!(
            call("range", vec![1.0.into(), 4.0.into()]),
            Ok(nums(&[1.0, 2.0, 3.0]))
        );
        assert_eq!(
            call("range", vec![1.0.into(), 8.0.into(), 2.0.into()]),
            Ok(nums(&[1.0, 3.0, 5.0, 7.0]))
        );
        assert_eq!(
            call("range", vec![(-3.0).into()]),
            Ok(nums(&[0.0, -1.0, -2.0]))
        );
        assert_eq!(
            call("range", vec![4.0.into(), 1.0.into()]),
            Ok(nums(&[4.0, 3.0, 2.0]))
        );
        assert_eq!(call("range", vec![0.0.into()]), Ok(nums(&[])));
        assert_eq!(
            call("range", vec![10.0.into(), 5.0.into(), (-2.0).into()]),
            Ok(nums(&[10.0, 8.0, 6.0]))
        );
        assert_eq!(
            call("range", vec![0.0.into(), 1.0.into(), 0.25.into()]),
            Ok(nums(&[0.0, 0.25, 0.5, 0.75]))
        );
        assert_eq!(
            call("range", vec![0.0.into(), 0.5.into(), 0.1.into()]),
            Ok(nums(&[0.0, 0.1, 0.2, 0.30000000000000004, 0.4]))
        );
    }

    #[test]
    fn range_errors() {
        assert_eq!(
            call("range", vec![]),
            Err(FuncError::new("must have one, two, or three arguments"))
        );
        assert_eq!(
            call(
                "range",
                vec![1.0.into(), 2.0.into(), 3.0.into(), 4.0.into()]
            ),
            Err(FuncError::new("must have one, two, or three arguments"))
        );
        assert_eq!(
            call("range", vec![5.0.into(), 1.0.into(), 1.0.into()]),
            Err(FuncError::arg(
                1,
                "end must be greater than start when step is positive"
            ))
        );
        assert_eq!(
            call("range", vec![1.0.into(), 5.0.into(), (-1.0).into()]),
            Err(FuncError::arg(
                1,
                "end must be less than start when step is negative"
            ))
        );
        let too_many = call("range", vec![2000.0.into()]).expect_err("fails");
        assert!(too_many
            .message
            .starts_with("more than 1024 values were generated"));
        assert!(call("range", vec![0.0.into(), 1.0.into(), 0.0.into()]).is_err());
        assert_eq!(
            call("range", vec![1024.0.into()]).map(|v| v.as_seq().map(<[Value]>::len)),
            Ok(Some(1024))
        );
    }
}
