//! Packer's `-machine-readable` records: `TIMESTAMP,TARGET,TYPE,DATA...`,
//! with commas in data written as `%!(PACKER_COMMA)` and newlines as `\n`.

pub fn escape(data: &str) -> String {
    data.replace(',', "%!(PACKER_COMMA)")
        .replace('\r', "\\r")
        .replace('\n', "\\n")
}

pub fn record(timestamp: i64, target: &str, kind: &str, data: &[&str]) -> String {
    let mut line = format!("{timestamp},{target},{kind}");
    for d in data {
        line.push(',');
        line.push_str(&escape(d));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packer_escaping() {
        assert_eq!(
            record(5, "null.a", "ui", &["say", "a,b\nc"]),
            "5,null.a,ui,say,a%!(PACKER_COMMA)b\\nc"
        );
    }
}
