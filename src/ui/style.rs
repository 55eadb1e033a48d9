//! Packer's terminal colours: one per build, cycling through five, headings
//! bold, details plain, errors bold red.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Red = 31,
    Green = 32,
    Yellow = 33,
    Blue = 34,
    Magenta = 35,
    Cyan = 36,
}

/// The order Packer hands colours to builds.
pub const PALETTE: [Color; 5] = [
    Color::Green,
    Color::Cyan,
    Color::Magenta,
    Color::Yellow,
    Color::Blue,
];

pub fn for_build(index: usize) -> Color {
    PALETTE[index % PALETTE.len()]
}

/// Wrap `text` (possibly several lines) in one colour escape, as Packer's
/// ColoredUi does.
pub fn paint(text: &str, color: Color, bold: bool) -> String {
    format!("\x1b[{};{}m{text}\x1b[0m", u8::from(bold), color as u8)
}
