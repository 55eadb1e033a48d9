//! Provisioners, one module each.

pub mod shell_local;
