//! The `ansible` provisioner end to end.

mod direct;
