//! `provisioner "breakpoint"`: pause the build until the user presses
//! enter, to inspect the machine half-way through provisioning.

use kiln_core::component::{ConfigProblem, Validate};
use kiln_core::{BuildError, Communicator, ProvisionCtx, Provisioner};
use serde::Deserialize;

/// Packer's breakpoint fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakpointConfig {
    pub disable: Option<bool>,
    pub note: Option<String>,
}

impl Validate for BreakpointConfig {
    fn validate(&self) -> Vec<ConfigProblem> {
        Vec::new()
    }
}

pub struct Breakpoint {
    config: BreakpointConfig,
}

impl From<BreakpointConfig> for Breakpoint {
    fn from(config: BreakpointConfig) -> Breakpoint {
        Breakpoint { config }
    }
}

/// Said instead of waiting when nobody can press enter. Packer 1.6.6 fails
/// the build there ("Error asking for input: no available tty"); kiln lets
/// unattended runs (CI) go on past breakpoints.
pub const NO_TERMINAL: &str = "No terminal to answer the breakpoint; continuing without waiting.";

impl Provisioner for Breakpoint {
    /// Waiting is the Ui's `ask`, which cannot be interrupted from here:
    /// the terminal Ui returns `None` on Ctrl-C, and the token is read
    /// again once it has, so a cancel during the pause ends the build.
    fn provision(
        &self,
        ctx: &ProvisionCtx<'_>,
        _comm: &dyn Communicator,
    ) -> Result<(), BuildError> {
        let note = self.config.note.as_deref().filter(|n| !n.is_empty());
        if self.config.disable == Some(true) {
            ctx.ui.say(&match note {
                Some(n) => {
                    format!("Breakpoint provisioner with note \"{n}\" disabled; continuing...")
                }
                None => "Breakpoint provisioner disabled; continuing...".to_owned(),
            });
            return Ok(());
        }
        ctx.ui.say(&match note {
            Some(n) => format!("Pausing at breakpoint provisioner with note \"{n}\"."),
            None => "Pausing at breakpoint provisioner.".to_owned(),
        });
        check_cancel(ctx)?;
        let answer = ctx.ui.ask("Press enter to continue.");
        check_cancel(ctx)?;
        if answer.is_none() {
            ctx.ui.say(NO_TERMINAL);
        }
        Ok(())
    }
}

fn check_cancel(ctx: &ProvisionCtx<'_>) -> Result<(), BuildError> {
    match ctx.cancel.reason() {
        Some(r) => Err(BuildError::from_reason(r, None)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::ui::{NoProgress, Progress, RecordingUi};
    use kiln_core::{BuildInfo, Cancel, Generated, NoneComm, Ui};

    fn run(config: BreakpointConfig, ui: &dyn Ui, cancel: &Cancel) -> Result<(), BuildError> {
        let info = BuildInfo::default();
        let generated = Generated::new();
        let ctx = ProvisionCtx {
            info: &info,
            ui,
            cancel,
            generated: &generated,
        };
        Breakpoint::from(config).provision(&ctx, &NoneComm)
    }

    fn config(disable: bool, note: &str) -> BreakpointConfig {
        BreakpointConfig {
            disable: Some(disable),
            note: Some(note.to_owned()),
        }
    }

    #[test]
    fn disabled_says_so_and_does_not_ask() {
        let ui = RecordingUi::default();
        assert!(run(config(true, "n1"), &ui, &Cancel::new()).is_ok());
        assert!(run(config(true, ""), &ui, &Cancel::new()).is_ok());
        assert_eq!(
            ui.of("say"),
            [
                "Breakpoint provisioner with note \"n1\" disabled; continuing...",
                "Breakpoint provisioner disabled; continuing..."
            ]
        );
        assert!(ui.of("ask").is_empty());
    }

    #[test]
    fn pauses_until_enter() {
        let ui = RecordingUi::default();
        ui.answers
            .lock()
            .map(|mut a| a.push(String::new()))
            .expect("lock");
        assert!(run(config(false, "wait here"), &ui, &Cancel::new()).is_ok());
        assert_eq!(
            ui.of("say"),
            ["Pausing at breakpoint provisioner with note \"wait here\"."]
        );
        assert_eq!(ui.of("ask"), ["Press enter to continue."]);
    }

    #[test]
    fn without_a_terminal_it_continues_and_says_so() {
        let ui = RecordingUi::default();
        assert!(run(BreakpointConfig::default(), &ui, &Cancel::new()).is_ok());
        assert_eq!(
            ui.of("say"),
            ["Pausing at breakpoint provisioner.", NO_TERMINAL]
        );
    }

    #[test]
    fn cancelled_before_the_pause_does_not_ask() {
        let ui = RecordingUi::default();
        let cancel = Cancel::new();
        cancel.cancel();
        let r = run(BreakpointConfig::default(), &ui, &cancel);
        assert!(matches!(r, Err(BuildError::Cancelled)));
        assert!(ui.of("ask").is_empty());
    }

    /// A terminal whose user presses Ctrl-C at the prompt.
    struct CtrlC(Cancel);

    impl Ui for CtrlC {
        fn say(&self, _: &str) {}
        fn message(&self, _: &str) {}
        fn error(&self, _: &str) {}
        fn machine(&self, _: &str, _: &[&str]) {}
        fn ask(&self, _: &str) -> Option<String> {
            self.0.cancel();
            None
        }
        fn progress(&self, _: &str, _: Option<u64>) -> Box<dyn Progress> {
            Box::new(NoProgress)
        }
    }

    #[test]
    fn ctrl_c_at_the_prompt_cancels() {
        let cancel = Cancel::new();
        let r = run(BreakpointConfig::default(), &CtrlC(cancel.clone()), &cancel);
        assert!(matches!(r, Err(BuildError::Cancelled)));
    }
}
