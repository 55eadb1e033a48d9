//! Packer's `UnixReader`: scripts are uploaded with every line ending in
//! a bare `\n` (a `\r` before it dropped, a last line without one given
//! one), unless `binary` is set.

pub(crate) fn unix_lines(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 1);
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_becomes_lf_and_the_last_line_is_ended() {
        assert_eq!(unix_lines(b"a\r\nb\nc"), b"a\nb\nc\n");
        assert_eq!(unix_lines(b"a\r\r\n\n"), b"a\r\n\n");
        assert_eq!(unix_lines(b""), b"");
        assert_eq!(unix_lines(b"\r"), b"\n");
    }
}
