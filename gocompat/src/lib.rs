//! kiln-gocompat: the Go behaviour kiln reproduces so that its messages,
//! names and files match Packer's, each in one place. It sits below
//! `kiln-template`, `kiln-core` and every component, and knows nothing of
//! them.
//!
//! - [`duration`]: `time.ParseDuration` with Go's range and messages,
//!   `Duration.String()`, and [`GoDuration`], the serde type of every
//!   duration field.
//! - [`quote`]: `strconv.Quote` (`%q`), `QuoteRune`, the time package's
//!   quoting.
//! - [`path`]: `path/filepath`'s lexical rules.
//! - [`hex`]: lower-case hex.
//! - [`hash`]: the digest kinds by Go's names.
//! - [`atomic`]: whole-or-nothing file writes.

pub mod atomic;
pub mod duration;
pub mod hash;
pub mod hex;
pub mod path;
pub mod quote;

pub use duration::{DurationError, GoDuration};
