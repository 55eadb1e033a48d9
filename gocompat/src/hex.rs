//! Lower-case hex, as Go's `hex.EncodeToString` and `%x` write digests:
//! the `hex` crate's, so the workspace has one encoder.

pub use ::hex::encode;

#[cfg(test)]
mod tests {
    #[test]
    fn lower_case_like_go() {
        assert_eq!(super::encode([0x00, 0xab, 0xff]), "00abff");
        assert_eq!(super::encode(b""), "");
    }
}
