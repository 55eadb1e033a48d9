//! `csvdecode`: RFC 4180 CSV read the way Go's `encoding/csv` reads it (the
//! reader cty uses), so the same inputs are accepted and rejected with the
//! same messages. The header row names the attributes of every row object.

use crate::value::Value;
use kiln_gocompat::quote::quote as go_quote;
use std::collections::BTreeMap;

const ERR_BARE_QUOTE: &str = "bare \" in non-quoted-field";
const ERR_QUOTE: &str = "extraneous or missing \" in quoted-field";
const ERR_FIELD_COUNT: &str = "wrong number of fields";

pub(super) fn decode(src: &str) -> Result<Value, String> {
    let mut reader = Reader::new(src);
    let headers = match reader.read_record() {
        Ok(Some(h)) => h,
        Ok(None) => return Err("missing header line".to_string()),
        Err(e) => return Err(e),
    };
    let mut seen = std::collections::BTreeSet::new();
    for name in &headers {
        if !seen.insert(name.as_str()) {
            return Err(format!("duplicate column name {}", go_quote(name)));
        }
    }
    reader.fields_per_record = Some(headers.len());
    let mut rows = Vec::new();
    while let Some(cols) = reader.read_record()? {
        let row: BTreeMap<String, Value> = headers
            .iter()
            .cloned()
            .zip(cols.into_iter().map(Value::String))
            .collect();
        rows.push(Value::Object(row));
    }
    Ok(Value::List(rows))
}

struct Reader<'a> {
    rest: &'a str,
    /// Line number of the last line read (1-based).
    line: usize,
    fields_per_record: Option<usize>,
}

impl<'a> Reader<'a> {
    fn new(src: &'a str) -> Reader<'a> {
        Reader {
            rest: src,
            line: 0,
            fields_per_record: None,
        }
    }

    /// The next physical line, with a `\r\n` ending normalised to `\n` and a
    /// missing final newline left missing.
    fn read_line(&mut self) -> Option<String> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match self.rest.find('\n') {
            Some(i) => self.rest.split_at(i + 1),
            None => (self.rest, ""),
        };
        self.rest = rest;
        self.line += 1;
        let mut line = line.to_string();
        if line.ends_with("\r\n") {
            line.truncate(line.len() - 2);
            line.push('\n');
        } else if !line.ends_with('\n') && line.ends_with('\r') {
            // Go drops a lone trailing `\r` before end of input.
            line.pop();
        }
        Some(line)
    }

    fn error(&self, line: usize, what: &str) -> String {
        format!("CSV parse error on line {line}: {what}")
    }

    /// The next record, skipping empty lines; `None` at end of input.
    fn read_record(&mut self) -> Result<Option<Vec<String>>, String> {
        let mut line = loop {
            match self.read_line() {
                None => return Ok(None),
                Some(l) if l == "\n" => {}
                Some(l) => break l,
            }
        };
        let start_line = self.line;
        let mut fields = Vec::new();
        'fields: loop {
            if !line.starts_with('"') {
                // An unquoted field runs to the next comma or end of line.
                let (field, more) = match line.find(',') {
                    Some(i) => (line[..i].to_string(), Some(line[i + 1..].to_string())),
                    None => (line.trim_end_matches('\n').to_string(), None),
                };
                if field.contains('"') {
                    return Err(self.error(self.line, ERR_BARE_QUOTE));
                }
                fields.push(field);
                match more {
                    Some(rest) => {
                        line = rest;
                        continue 'fields;
                    }
                    None => break 'fields,
                }
            }
            // A quoted field may span lines; `""` is an escaped quote.
            let mut field = String::new();
            let mut cur = line[1..].to_string();
            loop {
                if let Some(i) = cur.find('"') {
                    field.push_str(&cur[..i]);
                    let after = &cur[i + 1..];
                    if let Some(stripped) = after.strip_prefix('"') {
                        field.push('"');
                        cur = stripped.to_string();
                    } else if let Some(stripped) = after.strip_prefix(',') {
                        fields.push(field);
                        line = stripped.to_string();
                        continue 'fields;
                    } else if after.is_empty() || after == "\n" {
                        fields.push(field);
                        break 'fields;
                    } else {
                        return Err(self.error(self.line, ERR_QUOTE));
                    }
                } else if !cur.is_empty() {
                    field.push_str(&cur);
                    match self.read_line() {
                        Some(next) => cur = next,
                        None => return Err(self.error(self.line, ERR_QUOTE)),
                    }
                } else {
                    return Err(self.error(self.line, ERR_QUOTE));
                }
            }
        }
        if let Some(want) = self.fields_per_record {
            if fields.len() != want {
                return Err(self.error(start_line, ERR_FIELD_COUNT));
            }
        }
        Ok(Some(fields))
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::testutil::{err, ok, s};
    use crate::value::Value;

    fn row(pairs: &[(&str, &str)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (*k, s(v))))
    }

    #[test]
    fn rows_become_objects() {
        assert_eq!(
            ok("csvdecode", vec![s("a,b,c\n1,2,3\n4,5,6")]),
            Value::List(vec![
                row(&[("a", "1"), ("b", "2"), ("c", "3")]),
                row(&[("a", "4"), ("b", "5"), ("c", "6")]),
            ])
        );
    }

    #[test]
    fn header_only_is_an_empty_list() {
        assert_eq!(ok("csvdecode", vec![s("a,b,c\n")]), Value::List(vec![]));
    }

    #[test]
    fn quoted_fields_crlf_and_blank_lines() {
        let src = "name,note\r\n\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\"\r\n";
        assert_eq!(
            ok("csvdecode", vec![s(src)]),
            Value::List(vec![row(&[
                ("name", "Smith, J"),
                ("note", "said \"hi\"\nthen left")
            ])])
        );
    }

    #[test]
    fn errors_match_cty() {
        assert_eq!(err("csvdecode", vec![s("")]), "missing header line");
        assert_eq!(
            err("csvdecode", vec![s("a,b,a\n1,2,3")]),
            "duplicate column name \"a\""
        );
        assert_eq!(
            err("csvdecode", vec![s("a,b,c\n1,2,3\n4,5")]),
            "CSV parse error on line 3: wrong number of fields"
        );
        assert_eq!(
            err("csvdecode", vec![s("a,b\n1,x\"y")]),
            "CSV parse error on line 2: bare \" in non-quoted-field"
        );
        assert_eq!(
            err("csvdecode", vec![s("a,b\n1,\"x\"y")]),
            "CSV parse error on line 2: extraneous or missing \" in quoted-field"
        );
        assert_eq!(
            err("csvdecode", vec![s("a,b\n1,\"open")]),
            "CSV parse error on line 2: extraneous or missing \" in quoted-field"
        );
    }
}
