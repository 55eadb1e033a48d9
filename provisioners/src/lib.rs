//! Provisioners, one module each.
