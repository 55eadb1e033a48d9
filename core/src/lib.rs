//! kiln-core: the seams between kiln's layers.

pub mod component;
