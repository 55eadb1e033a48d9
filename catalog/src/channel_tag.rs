//! Reading a channel through its tag, without replaying the bucket: the
//! channel tag points at the version's index, and the events that could
//! make that tag stale are few and cheap to find. A bucket's full state
//! is its summary index, over a megabyte at a thousand versions, and a
//! `resolve` in a deploy script should not pay for the whole history.
//!
//! The tag is derived (written after the event that moved the channel),
//! so it is trusted only when the events agree with it:
//!   1. the tag's version `vN` has, among its referrers, an event `E0`
//!      that put this channel on `vN`;
//!   2. no event in the bucket that sorts after `E0` concerns this
//!      channel (the event tags name their ULIDs, so only those written
//!      around or after `E0` are read);
//!   3. replaying `vN`'s own events and those later ones leaves `vN`
//!      unrevoked.
//!
//! Its ancestors are checked as always, from their buckets' states.
//!
//! Anything else (an emptied channel, a revocation that has come into
//! force, a tag left behind by a writer killed between its event and the
//! tag) returns `None`, and the caller replays the whole bucket.

use crate::catalog::{event_of, version_of, Catalog};
use crate::error::CatalogError;
use crate::model::{Event, EventKind};
use crate::names::EVENT_TAG_PREFIX;
use crate::state::{sort_events, BucketState};
use std::collections::{BTreeMap, BTreeSet};

/// Clocks of two writers may disagree a little: events whose ULID is up
/// to this much older than `E0`'s are read too, and sorted for real.
const SKEW_MS: u64 = 5_000;

impl Catalog {
    /// `bucket`'s state as far as `channel` needs it (the channel's
    /// version with its events), or `None` when the tag cannot be trusted.
    pub(crate) fn channel_from_tag(
        &self,
        b: &str,
        channel: &str,
    ) -> Result<Option<(BucketState, u64)>, CatalogError> {
        let Some(index) = self.backend.get_manifest(b, channel)? else {
            return Ok(None);
        };
        let Ok(rec) = version_of(b, channel, &index) else {
            // An emptied channel's index, or not a version.
            return Ok(None);
        };
        let n = rec.version;
        // The state returned holds this one version: ancestors in the
        // same bucket need the whole bucket.
        if rec.parents.iter().any(|p| p.bucket == b) {
            return Ok(None);
        }
        let mut events = self.events_about(b, &index.digest)?;
        let moved_here = |e: &Event| matches!(&e.kind, EventKind::Channel { channel: c, to, .. } if c == channel && *to == Some(n));
        let Some(e0) = events.iter().rev().find(|e| moved_here(e)).cloned() else {
            return Ok(None);
        };
        let Some(since) = ulid_ms(&e0.id) else {
            return Ok(None);
        };
        let known: BTreeSet<String> = events.iter().map(|e| e.id.clone()).collect();
        let candidates: Vec<String> = self
            .backend
            .tags(b)?
            .into_iter()
            .filter(|t| {
                t.strip_prefix(EVENT_TAG_PREFIX).is_some_and(|id| {
                    !known.contains(id) && ulid_ms(id).is_none_or(|ms| ms + SKEW_MS >= since)
                })
            })
            .collect();
        let mut later = Vec::new();
        for (tag, m) in candidates
            .iter()
            .zip(self.backend.get_manifests(b, &candidates)?)
        {
            if let Some(m) = m {
                later.push(event_of(b, tag, &m)?);
            }
        }
        events.extend(later);
        sort_events(&mut events);
        let after_e0 = events.iter().skip_while(|e| e.id != e0.id).skip(1);
        let concerns_channel =
            |e: &Event| matches!(&e.kind, EventKind::Channel { channel: c, .. } if c == channel);
        if after_e0.clone().any(concerns_channel) {
            return Ok(None);
        }
        // vN's revocations and restores, and this channel's moves.
        let relevant: Vec<Event> = events
            .into_iter()
            .filter(|e| e.version == n || concerns_channel(e))
            .collect();
        let state = BucketState::replay(
            b,
            BTreeMap::from([(n, rec)]),
            relevant,
            jiff::Timestamp::now(),
        );
        let effective = state.channels.get(channel).and_then(|c| c.effective);
        if effective != Some(n) || state.is_revoked(n) {
            return Ok(None);
        }
        Ok(Some((state, n)))
    }
}

/// The millisecond time a ULID carries.
fn ulid_ms(id: &str) -> Option<u64> {
    ulid::Ulid::from_string(id).ok().map(|u| u.timestamp_ms())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::backend::dir::DirBackend;
    use crate::backend::Expect;
    use crate::model::{BuildRecord, ExternalId};
    use crate::register::NewVersion;

    fn catalog(dir: &std::path::Path) -> Catalog {
        Catalog::new(Box::new(DirBackend::new(dir)))
    }

    fn register(c: &Catalog, i: u64) -> u64 {
        let build = BuildRecord {
            name: "b.file.a".into(),
            source_type: "file".into(),
            source_name: "a".into(),
            platform: "file".into(),
            builder_id: "file".into(),
            artifacts: vec![ExternalId {
                id: format!("artifact-{i}"),
                region: "local".into(),
            }],
            files: Vec::new(),
            labels: BTreeMap::new(),
        };
        let rec = c
            .register(&NewVersion {
                bucket: "web".into(),
                id: ulid::Ulid::new().to_string(),
                fingerprint: format!("fp-{i}"),
                fingerprint_source: "env".into(),
                template_path: "t.pkr.hcl".into(),
                template_digest: "sha256:00".into(),
                kiln_version: "0".into(),
                author: "test".into(),
                description: String::new(),
                bucket_labels: BTreeMap::new(),
                build_labels: BTreeMap::new(),
                run_uuid: ulid::Ulid::new().to_string(),
                builds: vec![(build, Vec::new())],
                parents: Vec::new(),
            })
            .unwrap();
        rec.version
    }

    /// What replaying the whole bucket says the channel is on.
    fn replayed(c: &Catalog, channel: &str) -> Option<u64> {
        c.state("web").unwrap().channels[channel].effective
    }

    #[test]
    fn a_promoted_channel_is_read_from_its_tag() {
        let d = tempfile::tempdir().unwrap();
        let c = catalog(d.path());
        let (v1, v2) = (register(&c, 1), register(&c, 2));
        c.promote("web", v1, "prod", "").unwrap();
        c.promote("web", v2, "prod", "").unwrap();
        // Moves of other channels after it do not make the tag doubtful.
        c.promote("web", v1, "dev", "").unwrap();
        let (state, v) = c.channel_from_tag("web", "prod").unwrap().unwrap();
        assert_eq!(v, v2);
        assert_eq!(Some(v), replayed(&c, "prod"));
        let last = state.channels["prod"].history.last().unwrap();
        assert!(matches!(&last.kind, EventKind::Channel { to: Some(t), .. } if *t == v2));
        assert_eq!(c.channel_version("web", "prod").unwrap().1, v2);
    }

    /// A writer killed between a channel's event and its tag leaves the
    /// tag behind: the events win.
    #[test]
    fn a_tag_behind_its_events_is_not_trusted() {
        let d = tempfile::tempdir().unwrap();
        let c = catalog(d.path());
        let (v1, v2) = (register(&c, 1), register(&c, 2));
        c.promote("web", v1, "prod", "").unwrap();
        c.promote("web", v2, "prod", "").unwrap();
        let old = c.version_index("web", v1).unwrap();
        c.backend()
            .set_tag("web", "prod", &old, &Expect::Any)
            .unwrap();
        assert!(c.channel_from_tag("web", "prod").unwrap().is_none());
        assert_eq!(c.channel_version("web", "prod").unwrap().1, v2);
    }

    /// A revocation scheduled for later is pending until its time, then
    /// in force although no writer moved the tag: the channel falls back.
    #[test]
    fn a_scheduled_revocation_takes_effect_without_a_tag_move() {
        let d = tempfile::tempdir().unwrap();
        let c = catalog(d.path());
        let (v1, v2) = (register(&c, 1), register(&c, 2));
        c.promote("web", v2, "prod", "").unwrap();
        let at = jiff::Timestamp::now() + std::time::Duration::from_millis(1500);
        c.revoke("web", v2, "bad", Some(at), false).unwrap();
        let (state, v) = c.channel_from_tag("web", "prod").unwrap().unwrap();
        assert_eq!(v, v2);
        assert!(state.revocation(v2).is_some_and(|r| r.pending));
        std::thread::sleep(std::time::Duration::from_millis(1700));
        assert!(c.channel_from_tag("web", "prod").unwrap().is_none());
        assert_eq!(c.channel_version("web", "prod").unwrap().1, v1);
        assert_eq!(replayed(&c, "prod"), Some(v1));
    }

    #[test]
    fn revoked_and_restored_versions_and_emptied_channels() {
        let d = tempfile::tempdir().unwrap();
        let c = catalog(d.path());
        let v1 = register(&c, 1);
        c.promote("web", v1, "prod", "").unwrap();
        c.revoke("web", v1, "bad", None, false).unwrap();
        assert!(c.channel_from_tag("web", "prod").unwrap().is_none());
        assert!(matches!(
            c.channel_version("web", "prod"),
            Err(CatalogError::EmptyChannel { .. })
        ));
        c.restore("web", v1, "fine after all").unwrap();
        c.promote("web", v1, "prod", "").unwrap();
        let (state, v) = c.channel_from_tag("web", "prod").unwrap().unwrap();
        assert_eq!(v, v1);
        assert!(state.revocation(v1).is_none());
    }
}
