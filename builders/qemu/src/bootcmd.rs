//! `boot_command`: Packer 1.6.6's key grammar, typed through QMP.
//!
//! API:
//! - [`parse`]`(command)` → `Vec<`[`Action`]`>`: the `boot_command` strings
//!   joined with nothing between them (Packer's `FlatBootCommand`), after
//!   `{{ .HTTPIP }}`-style interpolation. Errors as Packer reports them:
//!   `1:6 (5): rule Duration: time: invalid duration "99999999999h"`,
//!   `Expecting a positive wait value. Got -1s`; kiln also refuses, with
//!   its position, a character no key of a US keyboard types (Packer's VNC
//!   typing drops those silently).
//! - [`key_interval`]`(boot_key_interval)`: the configured interval, else
//!   `PACKER_KEY_INTERVAL` (or `KILN_KEY_INTERVAL`), else 100 ms.
//! - [`type_actions`]`(actions, sink, interval, cancel)`: presses the keys
//!   through a [`KeySink`] (implemented by [`crate::qmp::Qmp`]: `send-key`
//!   for a key press, `input-send-event` for `<…On>`/`<…Off>`), waiting
//!   `interval` between key events as Packer does, sleeping for `<waitX>`,
//!   and stopping as soon as the token fires.
//!
//! The grammar (Packer's `boot_command.pigeon`, a PEG: the first
//! alternative that matches wins, anything else is typed literally):
//! `<wait>` (1 s), `<waitN>` (N seconds), `<wait1m30s>` (a Go duration),
//! `<XOn>`/`<XOff>` for any single character X, `<enter>`, `<esc>`,
//! `<f1>`…`<f12>` and the other special keys, each optionally followed by
//! `On`/`Off`. Key names and `On`/`Off` ignore case, `wait` does not.
//! `<menu>` and `<reboot>` are not keys in 1.6.6: they are typed as text.

mod keys;
mod parse;
mod typing;

pub use keys::{stroke, KeyStroke};
pub use parse::{parse, Action, Key, KeyAction, ParseError};
pub use typing::{key_interval, type_actions, KeySink, TypeError, DEFAULT_KEY_INTERVAL};
