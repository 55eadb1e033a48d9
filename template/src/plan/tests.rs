//! A build's `test` blocks planned like its provisioners: each step
//! evaluated for the build, the block's settings decoded.

use super::{plan_component, ComponentKind, Meta, PlannedComponent};
use crate::config::model::TestDecl;
use crate::config::Config;
use crate::diagnostic::Diagnostics;
use crate::eval::{Evaluator, Scope};
use crate::plan::Components;
use kiln_gocompat::GoDuration;
use serde::Deserialize;

/// A `test "NAME"` block's own arguments.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestSettings {
    #[serde(default)]
    pub only: Vec<String>,
    #[serde(default)]
    pub except: Vec<String>,
    /// How long the fresh machine may take to come up.
    pub boot_timeout: Option<GoDuration>,
    /// Keep the artifact when the test fails (it is deleted otherwise).
    #[serde(default)]
    pub keep_failed_artifact: bool,
}

#[derive(Debug, Clone)]
pub struct PlannedTest {
    pub name: String,
    pub settings: TestSettings,
    /// Provisioners (`check` and `testinfra` among them), in order.
    pub steps: Vec<PlannedComponent>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn plan(
    cfg: &Config,
    scope: &Scope,
    test: &TestDecl,
    build_name: &str,
    short_name: &str,
    source_name: &str,
    components: &dyn Components,
    diags: &mut Diagnostics,
) -> Option<PlannedTest> {
    let ev = Evaluator::new(&cfg.ctx, test.settings.file);
    let body = match super::body::evaluate(&ev, &test.settings.body, scope, test.span.clone()) {
        Ok(b) => b,
        Err(d) => {
            diags.extend(d);
            return None;
        }
    };
    // A bad setting is reported with whatever the steps have wrong.
    let settings: TestSettings = crate::decode::decode(&body).unwrap_or_else(|d| {
        diags.extend(d);
        TestSettings::default()
    });
    let selection = Meta {
        only: settings.only.clone(),
        except: settings.except.clone(),
        ..Meta::default()
    };
    if !selection.applies_to(build_name, short_name) {
        return None;
    }
    let steps = test
        .steps
        .iter()
        .filter_map(|step| {
            plan_component(
                cfg,
                scope,
                step,
                ComponentKind::Provisioner,
                build_name,
                short_name,
                source_name,
                components,
                diags,
            )
        })
        .collect();
    Some(PlannedTest {
        name: test.name.clone(),
        settings,
        steps,
    })
}
