//! crypto functions.

use super::Library;

pub(super) fn register(_lib: &mut Library) {}
