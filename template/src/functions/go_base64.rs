//! Base64 exactly as Go's `base64.StdEncoding` reads and writes it, which is
//! what every Packer function taking or producing base64 uses.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{DecodeError, Engine};

/// Go pads on output, insists on padding on input and, unlike the crate's
/// default engine, accepts non-zero trailing bits (it is not "strict").
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

pub(super) fn encode(bytes: &[u8]) -> String {
    GO_STD.encode(bytes)
}

/// Decode, skipping line breaks as Go's decoder does.
pub(super) fn decode(s: &str) -> Result<Vec<u8>, DecodeError> {
    if s.contains(['\r', '\n']) {
        let joined: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
        return GO_STD.decode(joined);
    }
    GO_STD.decode(s)
}

/// The input offset Go's `CorruptInputError` would report for `err`.
pub(super) fn error_offset(input: &str, err: &DecodeError) -> usize {
    match err {
        DecodeError::InvalidByte(offset, _) | DecodeError::InvalidLastSymbol(offset, _) => *offset,
        // An incomplete final quantum: Go blames its first byte.
        DecodeError::InvalidLength(len) => len - len % 4,
        DecodeError::InvalidPadding => input.find('=').unwrap_or(input.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_padding() {
        assert_eq!(encode(b"hi"), "aGk=");
        assert_eq!(decode("aGk=").expect("decodes"), b"hi");
    }

    #[test]
    fn requires_padding_and_skips_newlines() {
        assert!(decode("aGk").is_err());
        assert_eq!(decode("aG\nk=").expect("decodes"), b"hi");
    }

    #[test]
    fn accepts_non_zero_trailing_bits_like_go() {
        // "aGl=" has non-zero padding bits; Go's non-strict decoder takes it.
        assert_eq!(decode("aGl=").expect("decodes"), b"hi");
    }

    #[test]
    fn offsets_point_at_the_bad_symbol() {
        let e = decode("ab!d").expect_err("fails");
        assert_eq!(error_offset("ab!d", &e), 2);
    }
}
