//! A panic inside a build is a bug in kiln, not in the template: it
//! becomes that build's error ("internal error, please report: …") and
//! the other builds go on.
//!
//! Rust's default panic hook would print its own lines ("thread … panicked
//! at …", a backtrace hint) on top of the build's error line. While a
//! [`catch`] is running on a thread, the hook installed here prints
//! nothing: it keeps the message and location for the error, and writes a
//! backtrace to the detailed log (`KILN_LOG`) for the report. Panics
//! anywhere else still get the default hook.

use std::any::Any;
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`catch`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The last panic the hook saw on this thread, as `message (at file:line)`.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Install the hook (once per process; later calls do nothing).
pub fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                default(info);
                return;
            }
            let message = payload_message(info.payload());
            let text = match info.location() {
                Some(l) => format!("{message} (at {}:{})", l.file(), l.line()),
                None => message,
            };
            tracing::error!(backtrace = %Backtrace::force_capture(), "panic: {text}");
            LAST.with(|l| *l.borrow_mut() = Some(text));
        }));
    });
}

/// Run `f`; a panic becomes `Err` with its message (and where it happened,
/// once the hook is installed).
///
/// `AssertUnwindSafe`: after a panic nothing `f` borrowed is used again
/// except through locks that recover from poisoning, and the build that
/// panicked is over.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = CATCHING.with(|c| c.replace(true));
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(outer));
    r.map_err(|payload| {
        // Every panic on this thread passes the hook, so the last one it
        // saw is the one that unwound to here.
        LAST.with(|l| l.borrow_mut().take())
            .unwrap_or_else(|| payload_message(payload.as_ref()))
    })
}

/// The error text of a build that panicked.
pub fn internal_error(panic: &str) -> String {
    format!("internal error, please report: {panic}")
}

/// `panic!("…")` carries a `&str` or a `String`; anything else (a
/// `panic_any` value) has no text to show.
fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(catch(|| 7), Ok(7));
        let e = catch(|| -> u8 { panic!("boom {}", 1) }).expect_err("panicked");
        assert!(e.starts_with("boom 1"), "{e}");
        let e = catch(|| std::panic::panic_any(5_u8)).expect_err("panicked");
        assert!(e.starts_with("panic with a non-text payload"), "{e}");
    }

    #[test]
    fn the_hook_adds_the_location() {
        install_hook();
        let e = catch(|| -> u8 { panic!("located") }).expect_err("panicked");
        assert!(e.starts_with("located (at src/engine/panic.rs:"), "{e}");
        assert_eq!(internal_error("x"), "internal error, please report: x");
    }
}
