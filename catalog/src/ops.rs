//! Channel moves, revocation and restoration. Each writes events (never
//! rewrites one) under the bucket lock, then re-reads the bucket and
//! moves the derived channel tags to what the events now say.

use crate::catalog::Catalog;
use crate::error::CatalogError;
use crate::identity;
use crate::model::{Event, EventKind, VersionRef, FORMAT};
use crate::names;
use crate::state::BucketState;
use serde::Serialize;

/// One channel move, as the commands report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub bucket: String,
    pub channel: String,
    pub from: Option<u64>,
    pub to: Option<u64>,
    pub cause: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RevokeReport {
    pub revoked: Vec<VersionRef>,
    /// Scheduled: the RFC 3339 time, when in the future.
    pub effective_at: String,
    pub scheduled: bool,
    pub moved: Vec<Moved>,
}

fn event(version: u64, why: &str, kind: EventKind) -> Event {
    Event {
        format: FORMAT,
        id: ulid::Ulid::new().to_string(),
        at: identity::now(),
        who: identity::who(),
        why: why.to_owned(),
        version,
        kind,
    }
}

impl Catalog {
    fn known_version(state: &BucketState, version: u64) -> Result<(), CatalogError> {
        if state.versions.contains_key(&version) {
            Ok(())
        } else {
            Err(CatalogError::UnknownVersion {
                bucket: state.bucket.clone(),
                version: names::version_tag(version),
            })
        }
    }

    /// Record a move of `channel` from where it is now to `to`.
    fn move_channel(
        &self,
        b: &str,
        state: &BucketState,
        channel: &str,
        to: Option<u64>,
        cause: &str,
        why: &str,
    ) -> Result<Moved, CatalogError> {
        let from = state.channels.get(channel).and_then(|c| c.effective);
        self.move_channel_from(b, channel, from, to, cause, why)
    }

    fn move_channel_from(
        &self,
        b: &str,
        channel: &str,
        from: Option<u64>,
        to: Option<u64>,
        cause: &str,
        why: &str,
    ) -> Result<Moved, CatalogError> {
        // An emptied channel's event is about the version it left.
        let subject = to.or(from).ok_or_else(|| CatalogError::EmptyChannel {
            bucket: b.to_owned(),
            channel: channel.to_owned(),
            why: String::new(),
        })?;
        self.append_event(
            b,
            &event(
                subject,
                why,
                EventKind::Channel {
                    channel: channel.to_owned(),
                    from,
                    to,
                    cause: cause.to_owned(),
                },
            ),
        )?;
        Ok(Moved {
            bucket: b.to_owned(),
            channel: channel.to_owned(),
            from,
            to,
            cause: cause.to_owned(),
        })
    }

    /// Assign `version` to `channel` (creating the channel).
    pub fn promote(
        &self,
        bucket: &str,
        version: u64,
        channel: &str,
        why: &str,
    ) -> Result<Moved, CatalogError> {
        names::check_channel(channel)?;
        let b = self.existing(bucket)?;
        let _lock = self.backend.lock(&b)?;
        let state = self.state_of(&b)?;
        Self::known_version(&state, version)?;
        if let Some(r) = state.revocation(version).filter(|r| !r.pending) {
            return Err(CatalogError::Revoked {
                bucket: b,
                version: names::version_tag(version),
                reason: r.reason.clone(),
            });
        }
        let moved = self.move_channel(&b, &state, channel, Some(version), "promote", why)?;
        self.sync_channel_tag(&b, &self.state_of(&b)?, channel)?;
        Ok(moved)
    }

    /// Move `channel` back: to `to`, else to where it was before its
    /// current version (skipping revoked ones).
    pub fn rollback(
        &self,
        bucket: &str,
        channel: &str,
        to: Option<u64>,
        why: &str,
    ) -> Result<Moved, CatalogError> {
        names::check_channel(channel)?;
        let b = self.existing(bucket)?;
        let _lock = self.backend.lock(&b)?;
        let state = self.state_of(&b)?;
        let c = state
            .channels
            .get(channel)
            .ok_or_else(|| CatalogError::UnknownChannel {
                bucket: b.clone(),
                channel: channel.to_owned(),
            })?;
        let target = match to {
            Some(v) => {
                Self::known_version(&state, v)?;
                if let Some(r) = state.revocation(v).filter(|r| !r.pending) {
                    return Err(CatalogError::Revoked {
                        bucket: b,
                        version: names::version_tag(v),
                        reason: r.reason.clone(),
                    });
                }
                v
            }
            None => state
                .previous(channel)
                .ok_or_else(|| CatalogError::EmptyChannel {
                    bucket: b.clone(),
                    channel: channel.to_owned(),
                    why: format!(
                        " earlier than {}: nothing to roll back to",
                        c.effective
                            .map_or("its current one".to_owned(), names::version_tag)
                    ),
                })?,
        };
        let moved = self.move_channel(&b, &state, channel, Some(target), "rollback", why)?;
        self.sync_channel_tag(&b, &self.state_of(&b)?, channel)?;
        Ok(moved)
    }

    /// Revoke `version` (and, with `descendants`, every version built
    /// from it, in any bucket), now or at `at`. Channels on a version
    /// revoked now move to the newest earlier good version of their
    /// bucket; the report lists each move, and a channel left with none.
    pub fn revoke(
        &self,
        bucket: &str,
        version: u64,
        reason: &str,
        at: Option<jiff::Timestamp>,
        descendants: bool,
    ) -> Result<RevokeReport, CatalogError> {
        let b = self.existing(bucket)?;
        let root = VersionRef {
            bucket: b.clone(),
            version,
        };
        {
            let state = self.state_of(&b)?;
            Self::known_version(&state, version)?;
        }
        let mut targets = vec![(root.clone(), None)];
        if descendants {
            targets.extend(
                self.descendants(&root)?
                    .into_iter()
                    .map(|d| (d, Some(root.clone()))),
            );
        }
        let now = jiff::Timestamp::now();
        let effective = at.filter(|t| *t > now);
        let mut report = RevokeReport {
            effective_at: effective.unwrap_or(now).to_string(),
            scheduled: effective.is_some(),
            ..RevokeReport::default()
        };
        for (target, through) in targets {
            let _lock = self.backend.lock(&target.bucket)?;
            let mut e = event(
                target.version,
                reason,
                EventKind::Revoke {
                    effective_at: String::new(),
                    through,
                },
            );
            if let EventKind::Revoke { effective_at, .. } = &mut e.kind {
                *effective_at = effective.map_or_else(|| e.at.clone(), |t| t.to_string());
            }
            self.append_event(&target.bucket, &e)?;
            report.revoked.push(target.clone());
            if effective.is_none() {
                report
                    .moved
                    .extend(self.move_off_revoked(&target.bucket, reason)?);
            }
        }
        Ok(report)
    }

    /// Move every channel of `b` that sits on a revoked version to the
    /// newest earlier good one, or empty it (saying so) when there is none.
    fn move_off_revoked(&self, b: &str, reason: &str) -> Result<Vec<Moved>, CatalogError> {
        let state = self.state_of(b)?;
        let mut moved = Vec::new();
        for (name, c) in &state.channels {
            let Some(t) = c.target else { continue };
            if !state.is_revoked(t) {
                continue;
            }
            let to = state.good_before(t);
            let why = format!("{} was revoked: {reason}", names::version_tag(t));
            moved.push(self.move_channel_from(b, name, Some(t), to, "revocation", &why)?);
        }
        let after = self.state_of(b)?;
        for m in &moved {
            self.sync_channel_tag(b, &after, &m.channel)?;
        }
        Ok(moved)
    }

    /// Lift a revocation (in force or scheduled). Channels stay where
    /// they are; promote to put the version back on one.
    pub fn restore(&self, bucket: &str, version: u64, why: &str) -> Result<(), CatalogError> {
        let b = self.existing(bucket)?;
        let _lock = self.backend.lock(&b)?;
        let state = self.state_of(&b)?;
        Self::known_version(&state, version)?;
        if state.revocation(version).is_none() {
            return Err(CatalogError::NotRevoked {
                bucket: b,
                version: names::version_tag(version),
            });
        }
        self.append_event(&b, &event(version, why, EventKind::Restore))
    }
}
