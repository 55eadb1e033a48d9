//! User authentication, in Packer's order: the agent, private keys (the
//! key file, then a key held in memory), then the password (also offered
//! to keyboard-interactive prompts).

use crate::connect::OpenError;
use crate::wait::Waiter;
use ssh2::{KeyboardInteractivePrompt, Prompt, Session};
use std::path::Path;

/// What one login may use.
pub(crate) struct Creds<'a> {
    pub user: &'a str,
    pub password: Option<&'a str>,
    pub key_file: Option<&'a Path>,
    pub key_memory: Option<&'a str>,
    pub agent: bool,
}

pub(crate) fn authenticate(sess: &Session, w: &Waiter<'_>, c: &Creds<'_>) -> Result<(), OpenError> {
    // Asking for the methods is the "none" attempt; a server that needs no
    // authentication lets us in right there.
    let methods = w
        .retry("listing authentication methods", || {
            sess.auth_methods(c.user).map(str::to_owned)
        })
        .map_err(OpenError::retry)?;
    if sess.authenticated() {
        return Ok(());
    }
    let offered = |m: &str| methods.split(',').any(|x| x == m);
    let mut attempted = vec!["none"];
    if c.agent {
        attempted.push("publickey");
        if agent_login(sess, w, c.user)? {
            return Ok(());
        }
    }
    if offered("publickey") {
        if let Some(file) = c.key_file {
            push_once(&mut attempted, "publickey");
            if try_login(w, || sess.userauth_pubkey_file(c.user, None, file, None))? {
                return Ok(());
            }
        }
        if let Some(key) = c.key_memory {
            push_once(&mut attempted, "publickey");
            if try_login(w, || sess.userauth_pubkey_memory(c.user, None, key, None))? {
                return Ok(());
            }
        }
    }
    if let Some(password) = c.password {
        if offered("password") {
            attempted.push("password");
            if try_login(w, || sess.userauth_password(c.user, password))? {
                return Ok(());
            }
        }
        if offered("keyboard-interactive") {
            attempted.push("keyboard-interactive");
            let mut answer = AnswerPassword(password);
            if try_login(w, || {
                sess.userauth_keyboard_interactive(c.user, &mut answer)
            })? {
                return Ok(());
            }
        }
    }
    Err(OpenError::Auth(format!(
        "ssh: handshake failed: ssh: unable to authenticate, attempted methods [{}], no supported methods remain",
        attempted.join(" ")
    )))
}

fn push_once<'a>(list: &mut Vec<&'a str>, m: &'a str) {
    if !list.contains(&m) {
        list.push(m);
    }
}

/// `Ok(false)` when the server refused this method; a dropped connection
/// is worth another try of the whole connection.
fn try_login(
    w: &Waiter<'_>,
    f: impl FnMut() -> Result<(), ssh2::Error>,
) -> Result<bool, OpenError> {
    match w.retry("authenticating", f) {
        Ok(()) => Ok(true),
        Err(crate::SshError::Ssh { source, .. }) if is_refusal(&source) => Ok(false),
        Err(crate::SshError::Ssh { source, .. }) if is_key_file_error(&source) => {
            Err(OpenError::Fatal(format!(
                "Error on parsing SSH private key: {}",
                source.message()
            )))
        }
        Err(e) => Err(OpenError::retry(e)),
    }
}

/// libssh2's "the server said no" codes.
fn is_refusal(e: &ssh2::Error) -> bool {
    const AUTHENTICATION_FAILED: i32 = -18;
    const PUBLICKEY_UNVERIFIED: i32 = -19;
    matches!(
        e.code(),
        ssh2::ErrorCode::Session(AUTHENTICATION_FAILED | PUBLICKEY_UNVERIFIED)
    )
}

fn is_key_file_error(e: &ssh2::Error) -> bool {
    const FILE: i32 = -16;
    e.code() == ssh2::ErrorCode::Session(FILE)
}

fn agent_login(sess: &Session, w: &Waiter<'_>, user: &str) -> Result<bool, OpenError> {
    let Some(sock) = std::env::var_os("SSH_AUTH_SOCK") else {
        return Err(OpenError::Fatal("SSH_AUTH_SOCK is not set".into()));
    };
    let cannot = |e: ssh2::Error| {
        OpenError::Fatal(format!(
            "Cannot connect to SSH Agent socket {:?}: {}",
            sock.to_string_lossy(),
            e.message()
        ))
    };
    let mut agent = sess.agent().map_err(cannot)?;
    agent.connect().map_err(cannot)?;
    agent.list_identities().map_err(cannot)?;
    let identities = agent.identities().map_err(cannot)?;
    for id in &identities {
        if try_login(w, || agent.userauth(user, id))? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Answers every keyboard-interactive prompt with the password, as
/// Packer's `PasswordKeyboardInteractive` does.
struct AnswerPassword<'a>(&'a str);

impl KeyboardInteractivePrompt for AnswerPassword<'_> {
    fn prompt<'b>(
        &mut self,
        _user: &str,
        _instructions: &str,
        prompts: &[Prompt<'b>],
    ) -> Vec<String> {
        prompts.iter().map(|_| self.0.to_owned()).collect()
    }
}
