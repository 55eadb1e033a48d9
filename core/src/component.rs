//! Component kinds and the decoded configs the registry produces.
