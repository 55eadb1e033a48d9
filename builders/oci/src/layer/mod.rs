//! Turning a provisioned root filesystem into a layer: the base state
//! recorded at unpack time (`snapshot`), what changed since (`diff`), and
//! the deterministic tar of those changes (`writer`).

pub mod diff;
pub mod snapshot;
pub mod writer;
