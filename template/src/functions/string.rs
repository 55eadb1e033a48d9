//! String functions: `format` and friends, regular expressions, case,
//! trimming, searching and taking strings apart.

mod case;
mod format;
mod go_regex;
mod number_text;
mod pieces;
mod printf;
mod regex;
mod search;
mod trim;

use super::Library;

pub(super) fn register(lib: &mut Library) {
    case::register(lib);
    format::register(lib);
    pieces::register(lib);
    regex::register(lib);
    search::register(lib);
    trim::register(lib);
}
