//! A bucket's state, replayed from its versions and events: which
//! versions are revoked (now, or from a future time), where each channel
//! points, and its history. Pure: the same inputs give the same state, so
//! every reader and writer agrees on it whatever order it fetched things in.

use crate::model::{Event, EventKind, VersionRecord, VersionRef};
use jiff::Timestamp;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Revocation {
    pub reason: String,
    pub at: String,
    pub who: String,
    pub effective_at: String,
    pub through: Option<VersionRef>,
    /// Scheduled for later: the version is still good until then.
    pub pending: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Channel {
    /// Where the last move put it.
    pub target: Option<u64>,
    /// Where it points now: `target`, or, when that has since been
    /// revoked (a `revoke_at` that passed), the newest earlier good one.
    pub effective: Option<u64>,
    /// Its moves, oldest first.
    pub history: Vec<Event>,
}

#[derive(Debug, Clone, Default)]
pub struct BucketState {
    pub bucket: String,
    pub versions: BTreeMap<u64, VersionRecord>,
    pub channels: BTreeMap<String, Channel>,
    revocations: BTreeMap<u64, Revocation>,
}

/// Order events as every reader does: by time, then id.
pub fn sort_events(events: &mut [Event]) {
    events.sort_by(|a, b| {
        parse(&a.at)
            .cmp(&parse(&b.at))
            .then_with(|| a.id.cmp(&b.id))
    });
}

fn parse(t: &str) -> Option<Timestamp> {
    t.parse().ok()
}

impl BucketState {
    pub fn replay(
        bucket: &str,
        versions: BTreeMap<u64, VersionRecord>,
        mut events: Vec<Event>,
        now: Timestamp,
    ) -> BucketState {
        sort_events(&mut events);
        let mut state = BucketState {
            bucket: bucket.to_owned(),
            versions,
            ..BucketState::default()
        };
        for e in events {
            match &e.kind {
                EventKind::Channel { channel, to, .. } => {
                    let c = state.channels.entry(channel.clone()).or_default();
                    c.target = *to;
                    c.history.push(e.clone());
                }
                EventKind::Revoke {
                    effective_at,
                    through,
                } => {
                    let pending = parse(effective_at).is_some_and(|t| t > now);
                    state.revocations.insert(
                        e.version,
                        Revocation {
                            reason: e.why.clone(),
                            at: e.at.clone(),
                            who: e.who.clone(),
                            effective_at: effective_at.clone(),
                            through: through.clone(),
                            pending,
                        },
                    );
                }
                EventKind::Restore => {
                    state.revocations.remove(&e.version);
                }
            }
        }
        let effective: Vec<(String, Option<u64>)> = state
            .channels
            .iter()
            .map(|(name, c)| {
                (
                    name.clone(),
                    c.target.and_then(|t| state.good_at_or_before(t)),
                )
            })
            .collect();
        for (name, eff) in effective {
            if let Some(c) = state.channels.get_mut(&name) {
                c.effective = eff;
            }
        }
        state
    }

    /// The revocation in force or scheduled for `version`.
    pub fn revocation(&self, version: u64) -> Option<&Revocation> {
        self.revocations.get(&version)
    }

    /// Revoked now (not merely scheduled).
    pub fn is_revoked(&self, version: u64) -> bool {
        self.revocation(version).is_some_and(|r| !r.pending)
    }

    /// `version` if it is good, else the newest earlier good version.
    pub fn good_at_or_before(&self, version: u64) -> Option<u64> {
        self.versions
            .range(..=version)
            .rev()
            .map(|(v, _)| *v)
            .find(|v| !self.is_revoked(*v))
    }

    /// The newest good version older than `version`.
    pub fn good_before(&self, version: u64) -> Option<u64> {
        version
            .checked_sub(1)
            .and_then(|v| self.good_at_or_before(v))
    }

    pub fn latest(&self) -> Option<u64> {
        self.versions.keys().next_back().copied()
    }

    /// Channels whose last move put them on `version`.
    pub fn channels_on(&self, version: u64) -> Vec<String> {
        self.channels
            .iter()
            .filter(|(_, c)| c.target == Some(version))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Where a channel stood before its current target, skipping revoked
    /// versions and the current one: `rollback`'s default.
    pub fn previous(&self, channel: &str) -> Option<u64> {
        let c = self.channels.get(channel)?;
        let current = c.effective;
        c.history
            .iter()
            .rev()
            .filter_map(|e| match &e.kind {
                EventKind::Channel { to, .. } => *to,
                _ => None,
            })
            .chain(c.history.iter().rev().filter_map(|e| match &e.kind {
                EventKind::Channel { from, .. } => *from,
                _ => None,
            }))
            .find(|v| Some(*v) != current && !self.is_revoked(*v) && self.versions.contains_key(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FORMAT;

    fn version(n: u64) -> VersionRecord {
        VersionRecord {
            format: FORMAT,
            bucket: "b".into(),
            version: n,
            id: format!("id{n}"),
            fingerprint: format!("fp{n}"),
            fingerprint_source: "env".into(),
            template_path: "t.pkr.hcl".into(),
            template_digest: "sha256:00".into(),
            kiln_version: "0".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            author: "me".into(),
            description: String::new(),
            bucket_labels: BTreeMap::new(),
            build_labels: BTreeMap::new(),
            run_uuid: "u".into(),
            builds: Vec::new(),
            parents: Vec::new(),
        }
    }

    fn event(id: &str, at: &str, version: u64, kind: EventKind) -> Event {
        Event {
            format: FORMAT,
            id: id.into(),
            at: at.into(),
            who: "me".into(),
            why: "because".into(),
            version,
            kind,
        }
    }

    fn promote(id: &str, at: &str, from: Option<u64>, to: u64) -> Event {
        event(
            id,
            at,
            to,
            EventKind::Channel {
                channel: "prod".into(),
                from,
                to: Some(to),
                cause: "promote".into(),
            },
        )
    }

    fn now() -> Timestamp {
        "2026-06-01T00:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn channel_follows_the_last_move_whatever_the_fetch_order() {
        let versions = (1..=3).map(|n| (n, version(n))).collect::<BTreeMap<_, _>>();
        let events = vec![
            promote("B", "2026-01-02T00:00:00Z", Some(1), 2),
            promote("A", "2026-01-01T00:00:00Z", None, 1),
        ];
        let s = BucketState::replay("b", versions, events, now());
        let c = &s.channels["prod"];
        assert_eq!(c.target, Some(2));
        assert_eq!(c.effective, Some(2));
        assert_eq!(c.history.len(), 2);
        assert_eq!(c.history[0].id, "A");
        assert_eq!(s.previous("prod"), Some(1));
    }

    #[test]
    fn a_revoked_target_falls_back_to_the_newest_earlier_good_version() {
        let versions = (1..=3).map(|n| (n, version(n))).collect::<BTreeMap<_, _>>();
        let revoke = |id: &str, v: u64, eff: &str| {
            event(
                id,
                "2026-02-01T00:00:00Z",
                v,
                EventKind::Revoke {
                    effective_at: eff.into(),
                    through: None,
                },
            )
        };
        let events = vec![
            promote("A", "2026-01-01T00:00:00Z", None, 3),
            revoke("R2", 2, "2026-02-01T00:00:00Z"),
            revoke("R3", 3, "2026-03-01T00:00:00Z"),
        ];
        let s = BucketState::replay("b", versions.clone(), events.clone(), now());
        assert!(s.is_revoked(3) && s.is_revoked(2));
        assert_eq!(s.channels["prod"].effective, Some(1));
        // Before v3's revocation takes effect it is still good.
        let early = "2026-02-15T00:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let s = BucketState::replay("b", versions.clone(), events.clone(), early);
        assert!(!s.is_revoked(3));
        assert!(s.revocation(3).is_some_and(|r| r.pending));
        assert_eq!(s.channels["prod"].effective, Some(3));
        // A restore undoes a revocation.
        let mut with_restore = events;
        with_restore.push(event("S", "2026-04-01T00:00:00Z", 3, EventKind::Restore));
        let s = BucketState::replay("b", versions, with_restore, now());
        assert!(!s.is_revoked(3));
        assert_eq!(s.channels["prod"].effective, Some(3));
    }
}
