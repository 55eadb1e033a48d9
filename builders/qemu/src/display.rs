//! Whether the VM gets a window, and how to watch its screen otherwise.
//!
//! Packer opens a GTK window (or qemu's default display with
//! `use_default_display`) unless `headless` is set. On a machine with no
//! graphical session, or with a qemu built without the GTK module, that
//! window cannot open and qemu exits at once ("Display 'gtk' is not
//! available"), so a minimal template would fail on every server and CI
//! runner. kiln runs such a VM headless instead and says so. A `display`
//! the user named (or a `-display` in `qemuargs`) is passed through
//! untouched: it was asked for.

use crate::config::Settings;
use kiln_core::{Cancel, Ui};
use std::ffi::OsString;
use std::time::Duration;

/// The displays qemu picks from when none is named, in its order
/// (`qemu_display_find_default`).
const QEMU_DEFAULTS: [&str; 3] = ["gtk", "sdl", "cocoa"];

/// A generous bound for `qemu -display help`, which answers at once.
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

/// The window the config asks kiln to choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// Packer's `-display gtk`.
    Gtk,
    /// `use_default_display`: qemu picks.
    QemuDefault,
}

fn wanted(s: &Settings) -> Option<Wanted> {
    let in_qemuargs = s
        .qemuargs
        .iter()
        .any(|row| row.first().map(String::as_str) == Some("-display"));
    if s.headless || in_qemuargs {
        return None;
    }
    match &s.display {
        // Packer reads `display = "none"` as "kiln's choice" (its FIXME).
        Some(d) if d != "none" => None,
        _ if s.use_default_display => Some(Wanted::QemuDefault),
        _ => Some(Wanted::Gtk),
    }
}

/// Whether a graphical session is reachable: X11 or Wayland.
pub fn graphical_session(var: impl Fn(&str) -> Option<OsString>) -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|k| var(k).is_some_and(|v| !v.is_empty()))
}

/// Why the window the config asks for cannot open, or `None` when it can
/// (or when the config asks for none, or names its own). `backends` lists
/// qemu's display types; it is only called when the answer depends on it,
/// and `None` (unknown) gives qemu the benefit of the doubt.
pub fn fallback_reason(
    s: &Settings,
    session: bool,
    backends: impl FnOnce() -> Option<Vec<String>>,
) -> Option<String> {
    let wanted = wanted(s)?;
    if !session {
        return Some("DISPLAY and WAYLAND_DISPLAY are not set".into());
    }
    let list = backends()?;
    let has = |name: &str| list.iter().any(|b| b == name);
    match wanted {
        Wanted::Gtk if !has("gtk") => Some(format!(
            "{} has no gtk display (it offers: {})",
            s.qemu_binary,
            list.join(", ")
        )),
        Wanted::QemuDefault if !QEMU_DEFAULTS.iter().any(|d| has(d)) => Some(format!(
            "{} has no graphical display (it offers: {})",
            s.qemu_binary,
            list.join(", ")
        )),
        _ => None,
    }
}

/// The display types of `qemu -display help`: the lines between its
/// heading and the first blank line.
pub fn parse_backends(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.trim_end().ends_with("backend types:"))
        .skip(1)
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn probe_backends(qemu_binary: &str, cancel: &Cancel) -> Option<Vec<String>> {
    let args = crate::tool::args(["-display", "help"]);
    match crate::tool::run(qemu_binary, &args, &cancel.with_timeout(PROBE_TIMEOUT)) {
        Ok(help) => Some(parse_backends(&help)),
        Err(e) => {
            tracing::info!("cannot list qemu's displays: {e}");
            None
        }
    }
}

/// Decide for this run. When the window cannot open, print one line and
/// return `true`: the VM runs headless.
pub fn headless_fallback(s: &Settings, ui: &dyn Ui, cancel: &Cancel) -> bool {
    let session = graphical_session(|k| std::env::var_os(k));
    match fallback_reason(s, session, || probe_backends(&s.qemu_binary, cancel)) {
        Some(reason) => {
            ui.say(&format!(
                "No display available for a VM window ({reason}): running headless"
            ));
            true
        }
        None => false,
    }
}

/// Packer's line for a headless VM with VNC: the address and the TCP
/// port a VNC client connects to (qemu's `-vnc` takes the display number,
/// port − 5900), and the password when `vnc_use_password` set one.
pub fn vnc_hint(bind_address: &str, port: u16, password: Option<&str>) -> String {
    match password {
        Some(p) => format!(
            "The VM will be run headless, without a GUI. If you want to\nview the screen of the VM, connect via VNC to vnc://{bind_address}:{port}\nwith the password: {p}"
        ),
        None => format!(
            "The VM will be run headless, without a GUI. If you want to\nview the screen of the VM, connect via VNC without a password to\nvnc://{bind_address}:{port}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::QemuConfig;

    fn settings(c: QemuConfig) -> Settings {
        c.settings("x")
    }

    fn list(names: &[&str]) -> Option<Vec<String>> {
        Some(names.iter().map(|n| n.to_string()).collect())
    }

    fn never() -> Option<Vec<String>> {
        panic!("qemu probed although the answer does not depend on it")
    }

    #[test]
    fn a_session_is_display_or_wayland_display_set_and_not_empty() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert!(!graphical_session(env(&[])));
        assert!(!graphical_session(env(&[("DISPLAY", "")])));
        assert!(graphical_session(env(&[("DISPLAY", ":0")])));
        assert!(graphical_session(env(&[("WAYLAND_DISPLAY", "wayland-0")])));
    }

    #[test]
    fn a_minimal_config_without_a_session_runs_headless_without_probing() {
        let s = settings(QemuConfig::default());
        assert_eq!(
            fallback_reason(&s, false, never).as_deref(),
            Some("DISPLAY and WAYLAND_DISPLAY are not set")
        );
        let s = settings(QemuConfig {
            use_default_display: Some(true),
            ..QemuConfig::default()
        });
        assert!(fallback_reason(&s, false, never).is_some());
        let s = settings(QemuConfig {
            display: Some("none".into()),
            ..QemuConfig::default()
        });
        assert!(
            fallback_reason(&s, false, never).is_some(),
            "display = \"none\" is Packer's \"let kiln choose\""
        );
    }

    #[test]
    fn a_session_needs_qemus_ui_module_too() {
        let s = settings(QemuConfig::default());
        assert_eq!(
            fallback_reason(&s, true, || list(&["none", "curses"])).as_deref(),
            Some("qemu-system-x86_64 has no gtk display (it offers: none, curses)")
        );
        assert_eq!(fallback_reason(&s, true, || list(&["none", "gtk"])), None);
        assert_eq!(
            fallback_reason(&s, true, || None),
            None,
            "an unknown list leaves the window to qemu"
        );
        let s = settings(QemuConfig {
            use_default_display: Some(true),
            ..QemuConfig::default()
        });
        assert_eq!(fallback_reason(&s, true, || list(&["none", "sdl"])), None);
        assert_eq!(
            fallback_reason(&s, true, || list(&["none", "curses"])).as_deref(),
            Some("qemu-system-x86_64 has no graphical display (it offers: none, curses)")
        );
    }

    #[test]
    fn headless_an_explicit_display_or_a_qemuargs_display_is_left_alone() {
        for c in [
            QemuConfig {
                headless: Some(true),
                ..QemuConfig::default()
            },
            QemuConfig {
                display: Some("sdl".into()),
                ..QemuConfig::default()
            },
            QemuConfig {
                qemuargs: Some(vec![vec!["-display".into(), "vnc=:1".into()]]),
                ..QemuConfig::default()
            },
        ] {
            assert_eq!(fallback_reason(&settings(c), false, never), None);
        }
    }

    #[test]
    fn the_display_list_is_read_from_qemus_help() {
        let help = "Available display backend types:\nnone\ngtk\ncurses\n\nSome display backends support suboptions, which can be set with\n   -display backend,option=value,option=value...\n";
        assert_eq!(parse_backends(help), ["none", "gtk", "curses"]);
        assert!(parse_backends("qemu: unknown option").is_empty());
    }

    #[test]
    fn the_probe_asks_the_real_qemu() {
        let got = probe_backends("qemu-system-x86_64", &Cancel::new())
            .expect("qemu-system-x86_64 (scripts/setup.sh)");
        assert!(got.iter().any(|b| b == "none"), "{got:?}");
        assert_eq!(probe_backends("/nonexistent/qemu", &Cancel::new()), None);
    }

    #[test]
    fn the_vnc_hint_names_the_tcp_port_not_the_display_number() {
        let hint = vnc_hint("127.0.0.1", 5944, None);
        assert!(hint.ends_with("\nvnc://127.0.0.1:5944"), "{hint}");
        assert!(hint.starts_with("The VM will be run headless, without a GUI."));
        let hint = vnc_hint("127.0.0.1", 5944, Some("pw"));
        assert!(
            hint.ends_with("vnc://127.0.0.1:5944\nwith the password: pw"),
            "{hint}"
        );
    }
}
