//! The registry store (being written).
