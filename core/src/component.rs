//! What every component config offers the registry: Packer-style
//! validation after decoding.

/// A problem with a decoded config. `field` names the attribute at fault so
/// the diagnostic can point at it; `None` points at the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub field: Option<&'static str>,
    pub message: String,
}

impl ConfigProblem {
    pub fn field(field: &'static str, message: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            field: Some(field),
            message: message.into(),
        }
    }

    pub fn block(message: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            field: None,
            message: message.into(),
        }
    }
}

/// Checks that need more than types: required combinations, files that
/// must exist, mutually exclusive fields.
pub trait Validate {
    fn validate(&self) -> Vec<ConfigProblem>;

    /// Derive the settings a run would use (defaults applied, sizes, port
    /// ranges and communicator settings computed) and throw them away.
    /// The registry calls it after `validate`, so `kiln validate`
    /// and the fuzz tests reach every value a template can hold without
    /// starting a build. Configs that derive nothing keep the default.
    fn resolve_settings(&self) {}
}
