//! The engine's side of provisioning: once a builder's machine is
//! reachable, evaluate the provisioners again with the `build.*` values
//! the builder produced, and run each one with its meta-arguments
//! (`pause_before`, `max_retries`, `timeout`) applied.

use super::error::EngineError;
use super::RunCtx;
use crate::registry::{self, Registry};
use kiln_core::{
    BuildCtx, BuildError, Communicator, Generated, ProvisionCtx, ProvisionHook, Provisioner,
};
use kiln_template::plan::{self, PlannedComponent};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

pub struct EngineHook<'r> {
    pub run: &'r RunCtx<'r>,
    pub build_name: &'r str,
    /// The `build.*` values last handed to the provisioners; the
    /// post-processors see them too.
    pub generated: Mutex<Generated>,
    /// Whether the builder ran the tests itself (`test_artifact`).
    tested: AtomicBool,
    /// The provisioners as first planned (`build.*` unknown): what the
    /// step cache's keys hash, the same on every run.
    pub planned: Vec<PlannedComponent>,
    /// Read the package databases once provisioning is done.
    pub wants_inventory: bool,
    /// What the attestations need from the machine, gathered at the end
    /// of provisioning.
    pub facts: Mutex<crate::attest::Facts>,
}

impl<'r> EngineHook<'r> {
    pub fn new(run: &'r RunCtx<'r>, build_name: &'r str) -> EngineHook<'r> {
        EngineHook {
            run,
            build_name,
            generated: Mutex::new(run.base_generated()),
            tested: AtomicBool::new(false),
            planned: Vec::new(),
            wants_inventory: false,
            facts: Mutex::new(crate::attest::Facts::default()),
        }
    }

    /// The values provisioners see: the run's own plus the builder's.
    fn merge(&self, from_builder: &Generated) -> Generated {
        let mut all = self.run.base_generated();
        all.extend(from_builder.iter().map(|(k, v)| (k.clone(), v.clone())));
        if let Ok(mut g) = self.generated.lock() {
            *g = all.clone();
        }
        all
    }

    /// Whether the builder already ran the test blocks.
    pub fn tested(&self) -> bool {
        self.tested.load(Ordering::SeqCst)
    }

    pub fn last_generated(&self) -> Generated {
        self.generated.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// The build planned again with known `build.*` values.
    pub fn replan(&self, generated: &Generated) -> Result<plan::PlannedBuild, BuildError> {
        match plan::replan(self.run.cfg, self.build_name, &Registry, generated) {
            Some(Ok(pb)) => Ok(pb),
            Some(Err(diags)) => Err(BuildError::failed(EngineError::Replan(
                self.run
                    .console
                    .mask()
                    .apply(&diags.render(self.run.cfg.sources())),
            ))),
            None => Err(BuildError::failed(EngineError::BuildVanished(
                self.build_name.to_owned(),
            ))),
        }
    }
}

/// Build a provisioner from its planned (now fully known) body.
fn make(pc: &PlannedComponent, run: &RunCtx<'_>) -> Result<Box<dyn Provisioner>, BuildError> {
    match registry::make_provisioner(&pc.kind, &pc.body) {
        Some(Ok(p)) => Ok(p),
        Some(Err(diags)) => Err(BuildError::failed(EngineError::Provisioner(
            run.console.mask().apply(&diags.render(run.cfg.sources())),
        ))),
        None => Err(BuildError::failed(EngineError::UnknownProvisioner(
            pc.kind.clone(),
        ))),
    }
}

impl EngineHook<'_> {
    /// The steps of test block `name`, planned with the `build.*` values
    /// of the machine it runs on.
    pub fn test_steps(
        &self,
        name: &str,
        generated: &Generated,
    ) -> Result<Vec<PlannedComponent>, BuildError> {
        let mut all = self.run.base_generated();
        all.extend(generated.iter().map(|(k, v)| (k.clone(), v.clone())));
        let pb = self.replan(&all)?;
        pb.tests
            .into_iter()
            .find(|t| t.name == name)
            .map(|t| t.steps)
            .ok_or_else(|| BuildError::failed(EngineError::TestVanished(name.to_owned())))
    }

    /// One step of a test block against a fresh machine (`generated` are
    /// its `build.*` values), with its meta-arguments.
    pub fn run_step(
        &self,
        ctx: &BuildCtx<'_>,
        step: &PlannedComponent,
        comm: &dyn Communicator,
        generated: &Generated,
    ) -> Result<(), BuildError> {
        let mut all = self.run.base_generated();
        all.extend(generated.iter().map(|(k, v)| (k.clone(), v.clone())));
        let p = make(step, self.run)?;
        run_with_meta(ctx, step, p.as_ref(), comm, &all)
    }

    pub fn record_test(&self, record: super::image_tests::TestRecord) {
        if let Ok(mut r) = self.run.test_records.lock() {
            r.push(record);
        }
    }
}

impl EngineHook<'_> {
    /// While the machine still runs: its packages (when an SBOM is
    /// wanted) and every provisioner's inputs (the restored ones too).
    fn gather_facts(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        pb: &plan::PlannedBuild,
    ) -> Result<(), BuildError> {
        let made = pb
            .provisioners
            .iter()
            .map(|pc| Ok((pc.kind.clone(), make(pc, self.run)?)))
            .collect::<Result<Vec<_>, BuildError>>()?;
        let dependencies = crate::attest::dependencies::of(&made);
        let inventory = if self.wants_inventory {
            ctx.ui.say("Reading the package databases for the SBOM...");
            let start = std::time::Instant::now();
            let inv =
                crate::attest::inventory::read(comm, ctx.cancel).map_err(BuildError::failed)?;
            // bench/qemu and bench/oci read these records.
            ctx.ui.machine(
                "kiln-timing",
                &[
                    "sbom-read",
                    &format!("{:.3}", start.elapsed().as_secs_f64()),
                ],
            );
            Some(inv)
        } else {
            None
        };
        if let Ok(mut f) = self.facts.lock() {
            *f = crate::attest::Facts {
                inventory,
                dependencies,
            };
        }
        Ok(())
    }
}

impl ProvisionHook for EngineHook<'_> {
    fn provision(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
    ) -> Result<(), BuildError> {
        self.provision_each(ctx, comm, generated, &mut |_| Ok(()))
    }

    fn provision_each(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
        after: &mut dyn FnMut(&str) -> Result<(), BuildError>,
    ) -> Result<(), BuildError> {
        self.provision_from(ctx, comm, generated, 1, after)
    }

    fn provision_from(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
        first: usize,
        after: &mut dyn FnMut(&str) -> Result<(), BuildError>,
    ) -> Result<(), BuildError> {
        #[cfg(debug_assertions)]
        panic_if_asked(self.build_name);
        let generated = self.merge(generated);
        let pb = self.replan(&generated)?;
        for pc in pb.provisioners.iter().skip(first.saturating_sub(1)) {
            let p = make(pc, self.run)?;
            run_with_meta(ctx, pc, p.as_ref(), comm, &generated)?;
            after(&pc.kind)?;
        }
        self.gather_facts(ctx, comm, &pb)
    }

    fn step_cache(
        &self,
        ctx: &BuildCtx<'_>,
        boot: Vec<kiln_core::step_cache::Input>,
    ) -> Option<Box<dyn kiln_core::step_cache::StepCache>> {
        let opts = &self.run.opts;
        let cache = match super::step_cache::BuildCache::new(
            ctx.ui,
            &ctx.info.builder_type,
            boot,
            &self.planned,
            opts.cache,
            std::sync::Arc::clone(&self.run.cache_saved),
        ) {
            Ok(c) => c,
            Err(e) => {
                ctx.ui.error(&format!("Warning: no step cache: {e}"));
                return None;
            }
        };
        if opts.explain_cache {
            for line in cache.explain() {
                ctx.ui.say(&line);
            }
        }
        Some(Box::new(cache))
    }

    fn provision_cleanup(
        &self,
        ctx: &BuildCtx<'_>,
        comm: &dyn Communicator,
        generated: &Generated,
    ) -> Result<(), BuildError> {
        let generated = self.merge(generated);
        let pb = self.replan(&generated)?;
        let Some(pc) = &pb.error_cleanup_provisioner else {
            return Ok(());
        };
        let p = make(pc, self.run)?;
        run_with_meta(ctx, pc, p.as_ref(), comm, &generated)
    }

    fn test_artifact(
        &self,
        ctx: &BuildCtx<'_>,
        tester: &dyn kiln_core::tester::Tester,
        artifact: &kiln_core::Artifact,
    ) -> Result<(), BuildError> {
        self.tested.store(true, Ordering::SeqCst);
        let pb = self.replan(&self.last_generated())?;
        super::image_tests::run_with(
            tester,
            &pb.tests,
            artifact,
            ctx,
            self,
            super::image_tests::OnFailure::Delete,
        )
    }
}

/// Debug builds only: `KILN_TEST_PANIC_BUILD=<build name>` makes that
/// build panic as it starts provisioning, with the builder's steps
/// running. kiln has no panic a test could provoke from outside (each
/// one found is a bug, fixed), yet the engine must survive one; release
/// binaries leave this out, so no user can trip it.
#[cfg(debug_assertions)]
fn panic_if_asked(build_name: &str) {
    if std::env::var_os("KILN_TEST_PANIC_BUILD").is_some_and(|v| v == build_name) {
        panic!("KILN_TEST_PANIC_BUILD asked build {build_name} to panic");
    }
}

/// One provisioner with `pause_before`, then up to `max_retries` retries,
/// each attempt limited by `timeout`.
fn run_with_meta(
    ctx: &BuildCtx<'_>,
    pc: &PlannedComponent,
    p: &dyn Provisioner,
    comm: &dyn Communicator,
    generated: &Generated,
) -> Result<(), BuildError> {
    if let Some(pause) = pc.meta.pause_before {
        ctx.ui
            .say(&format!("Pausing {pause} before the next provisioner..."));
        ctx.cancel
            .sleep(pause.as_std())
            .map_err(|r| BuildError::from_reason(r, None))?;
    }
    let mut left = pc.meta.max_retries;
    let mut attempt: u32 = 0;
    loop {
        let result = attempt_once(ctx, pc, p, comm, generated);
        let err = match result {
            Ok(()) => return Ok(()),
            Err(e) if e.is_cancelled() || left == 0 => return Err(e),
            Err(e) => e,
        };
        ctx.ui.say(&format!(
            "Provisioner failed with {:?}, retrying with {left} trie(s) left",
            err.to_string()
        ));
        left -= 1;
        // Packer's linear backoff: no wait before the first retry, then 1s,
        // 2s, … capped at 10s.
        let delay = Duration::from_secs(u64::from(attempt.min(10)));
        attempt += 1;
        ctx.cancel
            .sleep(delay)
            .map_err(|r| BuildError::from_reason(r, None))?;
    }
}

fn attempt_once(
    ctx: &BuildCtx<'_>,
    pc: &PlannedComponent,
    p: &dyn Provisioner,
    comm: &dyn Communicator,
    generated: &Generated,
) -> Result<(), BuildError> {
    let cancel = match pc.meta.timeout {
        Some(t) => {
            ctx.ui.say(&format!(
                "Setting a {t} timeout for the next provisioner..."
            ));
            ctx.cancel.with_timeout(t.as_std())
        }
        None => ctx.cancel.child(),
    };
    let pctx = ProvisionCtx {
        info: ctx.info,
        ui: ctx.ui,
        cancel: &cancel,
        generated,
    };
    let result = p.provision(&pctx, comm);
    match (result, cancel.reason(), pc.meta.timeout) {
        // Whatever the provisioner made of its stopped work, a passed
        // deadline is the story the user needs.
        (Err(_), Some(kiln_core::cancel::Reason::TimedOut), Some(t)) => {
            ctx.ui.error("Cancelling provisioner after a timeout...");
            Err(BuildError::TimedOut(t.as_std()))
        }
        (r, _, _) => r,
    }
}
