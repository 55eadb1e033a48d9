//! Provisioners, one module each, and the pieces the shell flavours share.

pub mod breakpoint;
pub mod shell_local;

mod env_vars;
mod exit_codes;
mod go_path;
mod go_sprintf;
mod temp_script;
