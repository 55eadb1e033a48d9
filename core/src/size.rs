//! Sizes in messages: decimal units, as `du -h --si` and registries show
//! them.

pub fn human_bytes(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    match bytes {
        0..=999 => format!("{bytes} B"),
        1_000..=999_999 => format!("{:.1} kB", b / 1e3),
        1_000_000..=999_999_999 => format!("{:.1} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_range_has_its_unit() {
        assert_eq!(super::human_bytes(12), "12 B");
        assert_eq!(super::human_bytes(1_500), "1.5 kB");
        assert_eq!(super::human_bytes(52_400_000), "52.4 MB");
        assert_eq!(super::human_bytes(1_100_000_000), "1.10 GB");
    }
}
