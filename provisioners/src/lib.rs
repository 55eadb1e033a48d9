//! Provisioners, one module each, and the pieces the shell flavours share.

pub mod ansible;
pub mod ansible_local;
pub mod breakpoint;
pub mod check;
pub mod file;
pub mod puppet_masterless;
pub mod salt_masterless;
pub mod shell;
pub mod shell_local;
pub mod testinfra;

mod cache_inputs;
mod config_paths;
mod env_vars;
mod exit_codes;
mod go_sprintf;
mod guest;
mod inline;
mod key_file;
mod legacy_data;
mod retry;
mod temp_script;
