//! Network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet` and
//! `cidrsubnets`, for IPv4 and IPv6.

mod cidr;

use super::go_int::to_int;
use super::{CallContext, FuncError, FuncResult, Function, Library, Param};
use crate::value::{Type, Value};
use cidr::{all_ones, format_addr, mask, parse, Net};

pub(super) fn register(lib: &mut Library) {
    let prefix = || Param::new("prefix", Type::String);
    lib.insert(
        "cidrhost",
        Function::new(
            vec![prefix(), Param::new("hostnum", Type::Number)],
            cidrhost,
        ),
    );
    lib.insert("cidrnetmask", Function::new(vec![prefix()], cidrnetmask));
    lib.insert(
        "cidrsubnet",
        Function::new(
            vec![
                prefix(),
                Param::new("newbits", Type::Number),
                Param::new("netnum", Type::Number),
            ],
            cidrsubnet,
        ),
    );
    lib.insert(
        "cidrsubnets",
        Function::new(vec![prefix()], cidrsubnets).variadic(Param::new("newbits", Type::Number)),
    );
}

fn network(args: &[Value]) -> Result<Net, String> {
    let s = args.first().and_then(Value::as_str).unwrap_or_default();
    parse(s).map_err(|e| format!("invalid CIDR expression: {e}"))
}

fn int_arg(args: &[Value], i: usize) -> Result<i64, String> {
    to_int(args.get(i).and_then(Value::as_number).unwrap_or(f64::NAN))
}

fn cidrhost(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let num = int_arg(&args, 1).map_err(FuncError::new)?;
    let net = network(&args).map_err(FuncError::new)?;
    let max = all_ones(net.bits - net.prefix);
    // Negative numbers count back from the end of the range: -1 is last.
    let host = if num < 0 {
        let back = u128::from(num.unsigned_abs()) - 1;
        (back <= max).then(|| max - back)
    } else {
        u128::try_from(num).ok().filter(|n| *n <= max)
    };
    let host = host.ok_or_else(|| {
        FuncError::new(format!(
            "prefix of {} does not accommodate a host numbered {num}",
            net.prefix
        ))
    })?;
    Ok(Value::String(format_addr(net.addr | host, net.bits)))
}

fn cidrnetmask(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let net = network(&args).map_err(FuncError::new)?;
    Ok(Value::String(format_addr(
        mask(net.prefix, net.bits),
        net.bits,
    )))
}

fn cidrsubnet(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let newbits = int_arg(&args, 1).map_err(FuncError::new)?;
    let netnum = int_arg(&args, 2).map_err(FuncError::new)?;
    let net = network(&args).map_err(FuncError::new)?;
    // Packer keeps the limit 32-bit platforms impose on the subnet number.
    if newbits > 32 {
        return Err(FuncError::new("may not extend prefix by more than 32 bits"));
    }
    let newbits = u32::try_from(newbits)
        .map_err(|_| FuncError::new("may not extend prefix by a negative number of bits"))?;
    let new_prefix = net.prefix + newbits;
    if new_prefix > net.bits {
        return Err(FuncError::new(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            net.prefix
        )));
    }
    let num = u128::try_from(netnum)
        .ok()
        .filter(|n| *n <= all_ones(newbits))
        .ok_or_else(|| {
            FuncError::new(format!(
                "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
            ))
        })?;
    let subnet = Net {
        addr: net.addr | num << (net.bits - new_prefix),
        prefix: new_prefix,
        bits: net.bits,
    };
    Ok(Value::String(subnet.to_string()))
}

fn cidrsubnets(_: &CallContext, args: Vec<Value>) -> FuncResult {
    let net = network(&args).map_err(|e| FuncError::arg(0, e))?;
    if args.len() < 2 {
        return Ok(Value::List(vec![]));
    }
    let first = int_arg(&args, 1).map_err(|e| FuncError::arg(1, e))?;
    let mut current: Option<Net> = None;
    let mut out = Vec::with_capacity(args.len() - 1);
    for i in 1..args.len() {
        let newbits = int_arg(&args, i).map_err(|e| FuncError::arg(i, e))?;
        if newbits < 1 {
            return Err(FuncError::arg(i, "must extend prefix by at least one bit"));
        }
        if newbits > 32 {
            return Err(FuncError::arg(
                i,
                "may not extend prefix by more than 32 bits",
            ));
        }
        let len = i64::from(net.prefix) + newbits;
        if len > i64::from(net.bits) {
            let family = if net.bits == 32 { "IPv4" } else { "IPv6" };
            return Err(FuncError::arg(
                i,
                format!(
                    "would extend prefix to {len} bits, which is too long for an {family} address"
                ),
            ));
        }
        let len = u32::try_from(len).unwrap_or(net.bits);
        // Allocation starts just below the base prefix, sized by the first
        // request, so that the first subnet lands at its start.
        let cur = current.unwrap_or_else(|| {
            let first_len = u32::try_from(i64::from(net.prefix) + first).unwrap_or(len);
            net.previous_subnet(first_len)
        });
        let (next, wrapped) = cur.next_subnet(len);
        if wrapped || !net.contains(next.addr) {
            return Err(FuncError::arg(
                i,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {len} bits after {cur}"
                ),
            ));
        }
        out.push(Value::String(next.to_string()));
        current = Some(next);
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{call, err, n, ok, s};
    use crate::value::Value;

    fn strings(items: &[&str]) -> Value {
        Value::List(items.iter().map(|i| s(i)).collect())
    }

    #[test]
    fn cidrhost_examples() {
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(16.0)]),
            s("10.12.112.16")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(268.0)]),
            s("10.12.113.12")
        );
        assert_eq!(
            ok(
                "cidrhost",
                vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34.0)]
            ),
            s("fd00:fd12:3456:7890::22")
        );
        assert_eq!(
            ok("cidrhost", vec![s("192.168.1.0/24"), n(5.0)]),
            s("192.168.1.5")
        );
        assert_eq!(
            ok("cidrhost", vec![s("192.168.1.0/24"), n(-5.0)]),
            s("192.168.1.251")
        );
        assert_eq!(
            ok("cidrhost", vec![s("192.168.1.0/24"), n(-256.0)]),
            s("192.168.1.0")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.0/32"), n(0.0)]),
            s("10.0.0.0")
        );
        assert_eq!(ok("cidrhost", vec![s("::/0"), n(1.0)]), s("::1"));
    }

    #[test]
    fn cidrhost_errors() {
        assert_eq!(
            err("cidrhost", vec![s("192.168.1.0/30"), n(255.0)]),
            "prefix of 30 does not accommodate a host numbered 255"
        );
        assert_eq!(
            err("cidrhost", vec![s("192.168.1.0/30"), n(-255.0)]),
            "prefix of 30 does not accommodate a host numbered -255"
        );
        assert_eq!(
            err("cidrhost", vec![s("not-a-cidr"), n(6.0)]),
            "invalid CIDR expression: invalid CIDR address: not-a-cidr"
        );
        assert_eq!(
            err("cidrhost", vec![s("10.256.0.0/8"), n(6.0)]),
            "invalid CIDR expression: invalid CIDR address: 10.256.0.0/8"
        );
        assert_eq!(
            err("cidrhost", vec![s("10.0.0.0/8"), n(1.5)]),
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
        );
    }

    #[test]
    fn cidrnetmask_examples() {
        assert_eq!(
            ok("cidrnetmask", vec![s("172.16.0.0/12")]),
            s("255.240.0.0")
        );
        assert_eq!(
            ok("cidrnetmask", vec![s("10.0.0.0/32")]),
            s("255.255.255.255")
        );
        assert_eq!(ok("cidrnetmask", vec![s("0.0.0.0/0")]), s("0.0.0.0"));
        assert_eq!(
            ok("cidrnetmask", vec![s("fe80::/64")]),
            s("ffff:ffff:ffff:ffff::")
        );
        assert_eq!(
            err("cidrnetmask", vec![s("10.0.0.0")]),
            "invalid CIDR expression: invalid CIDR address: 10.0.0.0"
        );
    }

    #[test]
    fn cidrsubnet_examples() {
        assert_eq!(
            ok("cidrsubnet", vec![s("172.16.0.0/12"), n(4.0), n(2.0)]),
            s("172.18.0.0/16")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("10.1.2.0/24"), n(4.0), n(15.0)]),
            s("10.1.2.240/28")
        );
        assert_eq!(
            ok(
                "cidrsubnet",
                vec![s("fd00:fd12:3456:7890::/56"), n(16.0), n(162.0)]
            ),
            s("fd00:fd12:3456:7800:a200::/72")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("10.0.0.0/8"), n(0.0), n(0.0)]),
            s("10.0.0.0/8")
        );
    }

    #[test]
    fn cidrsubnet_errors() {
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/30"), n(3.0), n(0.0)]),
            "insufficient address space to extend prefix of 30 by 3"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/8"), n(2.0), n(4.0)]),
            "prefix extension of 2 does not accommodate a subnet numbered 4"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("fe80::/48"), n(33.0), n(0.0)]),
            "may not extend prefix by more than 32 bits"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/8"), n(2.0), n(-1.0)]),
            "prefix extension of 2 does not accommodate a subnet numbered -1"
        );
    }

    #[test]
    fn cidrsubnets_examples() {
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)]
            ),
            strings(&[
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ])
        );
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![
                    s("10.0.0.0/21"),
                    n(3.0),
                    n(3.0),
                    n(3.0),
                    n(4.0),
                    n(4.0),
                    n(4.0),
                    n(7.0),
                    n(7.0),
                    n(7.0)
                ]
            ),
            strings(&[
                "10.0.0.0/24",
                "10.0.1.0/24",
                "10.0.2.0/24",
                "10.0.3.0/25",
                "10.0.3.128/25",
                "10.0.4.0/25",
                "10.0.4.128/28",
                "10.0.4.144/28",
                "10.0.4.160/28",
            ])
        );
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![
                    s("fd00:fd12:3456:7890::/56"),
                    n(16.0),
                    n(16.0),
                    n(16.0),
                    n(32.0)
                ]
            ),
            strings(&[
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88",
            ])
        );
        assert_eq!(
            ok("cidrsubnets", vec![s("10.0.0.0/8")]),
            Value::List(vec![])
        );
        // go-cidr's search starts just below the base prefix, which wraps
        // around for a prefix at the zero address; Packer fails there too.
        assert_eq!(
            err("cidrsubnets", vec![s("0.0.0.0/0"), n(1.0)]),
            "not enough remaining address space for a subnet with a prefix of 1 bits after 128.0.0.0/1"
        );
    }

    #[test]
    fn cidrsubnets_errors_blame_the_argument() {
        let blame = |args: Vec<Value>| {
            let e = call("cidrsubnets", args).expect_err("fails");
            (e.arg, e.message)
        };
        assert_eq!(
            blame(vec![s("10.0.0.0/30"), n(1.0), n(3.0)]),
            (
                Some(2),
                "would extend prefix to 33 bits, which is too long for an IPv4 address".into()
            )
        );
        assert_eq!(
            blame(vec![s("10.0.0.0/8"), n(1.0), n(1.0), n(1.0)]),
            (
                Some(3),
                "not enough remaining address space for a subnet with a prefix of 9 bits after 10.128.0.0/9"
                    .into()
            )
        );
        assert_eq!(
            blame(vec![s("10.0.0.0/8"), n(1.0), n(0.0)]),
            (Some(2), "must extend prefix by at least one bit".into())
        );
        assert_eq!(
            blame(vec![s("10.0.0.0/8"), n(1.0), n(-1.0)]),
            (Some(2), "must extend prefix by at least one bit".into())
        );
        assert_eq!(
            blame(vec![s("fe80::/48"), n(1.0), n(33.0)]),
            (Some(2), "may not extend prefix by more than 32 bits".into())
        );
        assert_eq!(
            blame(vec![s("nope"), n(1.0)]),
            (
                Some(0),
                "invalid CIDR expression: invalid CIDR address: nope".into()
            )
        );
    }
}
