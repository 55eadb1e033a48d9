//! The `null` builder.
