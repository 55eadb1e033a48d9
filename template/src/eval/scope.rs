//! Names an expression can refer to: root objects (`var`, `local`, `path`,
//! `source`, `build`…) and iteration variables of `for` expressions and
//! `dynamic` blocks, which shadow outer names.

use crate::value::Value;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub struct Scope<'p> {
    names: HashMap<String, Value>,
    parent: Option<&'p Scope<'p>>,
}

impl<'p> Scope<'p> {
    pub fn root(names: HashMap<String, Value>) -> Scope<'static> {
        Scope {
            names,
            parent: None,
        }
    }

    /// A child scope that sees everything here plus its own names.
    pub fn child(&'p self) -> Scope<'p> {
        Scope {
            names: HashMap::new(),
            parent: Some(self),
        }
    }

    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.names.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.names
            .get(name)
            .or_else(|| self.parent.and_then(|p| p.get(name)))
    }

    /// Every name visible here, for "did you mean" hints.
    pub fn names(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.names.keys().map(String::as_str).collect();
        if let Some(p) = self.parent {
            out.extend(p.names());
        }
        out
    }
}
