//! Ancestry: versions record the versions they were built from; a
//! version whose ancestor is revoked may not be built from either.

use crate::catalog::Catalog;
use crate::error::CatalogError;
use crate::model::VersionRef;
use crate::names;
use crate::state::BucketState;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

#[derive(Debug, Clone, Serialize)]
pub struct Ancestry {
    pub version: VersionRef,
    /// Every ancestor, nearest first, with the parents each records.
    pub ancestors: Vec<Node>,
    /// Every version built from it, directly or not.
    pub descendants: Vec<VersionRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub version: VersionRef,
    pub parents: Vec<VersionRef>,
    pub revoked: Option<String>,
    /// The ancestor is gone from the catalog (its bucket was removed).
    pub missing: bool,
}

impl Catalog {
    /// The states of buckets, read once each.
    fn states<'a>(
        &self,
        cache: &'a mut BTreeMap<String, Option<BucketState>>,
        bucket: &str,
    ) -> Result<Option<&'a BucketState>, CatalogError> {
        if !cache.contains_key(bucket) {
            let s = if self.backend.bucket_exists(bucket)? {
                Some(self.state_of(bucket)?)
            } else {
                None
            };
            cache.insert(bucket.to_owned(), s);
        }
        Ok(cache.get(bucket).and_then(Option::as_ref))
    }

    pub fn ancestry(&self, bucket: &str, version: u64) -> Result<Ancestry, CatalogError> {
        let b = self.existing(bucket)?;
        let mut cache = BTreeMap::new();
        let ancestors = self.ancestors(&mut cache, &b, version)?;
        let start = VersionRef { bucket: b, version };
        let descendants = self.descendants(&start)?;
        Ok(Ancestry {
            version: start,
            ancestors,
            descendants,
        })
    }

    /// Every ancestor of `bucket:version`, nearest first, reading each
    /// bucket at most once (`cache` may already hold some).
    fn ancestors(
        &self,
        cache: &mut BTreeMap<String, Option<BucketState>>,
        bucket: &str,
        version: u64,
    ) -> Result<Vec<Node>, CatalogError> {
        let rec = self
            .states(cache, bucket)?
            .and_then(|s| s.versions.get(&version))
            .ok_or_else(|| CatalogError::UnknownVersion {
                bucket: bucket.to_owned(),
                version: names::version_tag(version),
            })?;
        let mut queue: VecDeque<VersionRef> = rec.parents.iter().cloned().collect();
        let mut seen = BTreeSet::new();
        let mut ancestors = Vec::new();
        while let Some(v) = queue.pop_front() {
            if !seen.insert(v.clone()) {
                continue;
            }
            let s = self.states(cache, &v.bucket)?;
            let rec = s.and_then(|s| s.versions.get(&v.version));
            let revoked = s
                .and_then(|s| s.revocation(v.version).filter(|r| !r.pending))
                .map(|r| r.reason.clone());
            let parents = rec.map(|r| r.parents.clone()).unwrap_or_default();
            queue.extend(parents.iter().cloned());
            ancestors.push(Node {
                version: v,
                parents,
                revoked,
                missing: rec.is_none(),
            });
        }
        Ok(ancestors)
    }

    /// Every version in the catalog built from `root`, directly or not.
    pub fn descendants(&self, root: &VersionRef) -> Result<Vec<VersionRef>, CatalogError> {
        let mut children: BTreeMap<VersionRef, Vec<VersionRef>> = BTreeMap::new();
        for b in self.backend.buckets()? {
            for (n, rec) in self.state_of(&b)?.versions {
                for p in rec.parents {
                    children.entry(p).or_default().push(VersionRef {
                        bucket: b.clone(),
                        version: n,
                    });
                }
            }
        }
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut queue = VecDeque::from([root.clone()]);
        while let Some(v) = queue.pop_front() {
            for c in children.get(&v).into_iter().flatten() {
                if seen.insert(c.clone()) {
                    out.push(c.clone());
                    queue.push_back(c.clone());
                }
            }
        }
        Ok(out)
    }

    /// Refuse a version that is revoked, or whose ancestor is.
    pub fn check_usable(&self, state: &BucketState, version: u64) -> Result<(), CatalogError> {
        if let Some(r) = state.revocation(version).filter(|r| !r.pending) {
            return Err(CatalogError::Revoked {
                bucket: state.bucket.clone(),
                version: names::version_tag(version),
                reason: r.reason.clone(),
            });
        }
        // Only the ancestors matter here, and `state` is already read:
        // reading every bucket for the descendants made each resolve cost
        // the whole catalog.
        let mut cache = BTreeMap::from([(state.bucket.clone(), Some(state.clone()))]);
        let ancestors = self.ancestors(&mut cache, &state.bucket, version)?;
        if let Some(n) = ancestors.iter().find(|n| n.revoked.is_some()) {
            return Err(CatalogError::AncestorRevoked {
                bucket: state.bucket.clone(),
                version: names::version_tag(version),
                ancestor: n.version.to_string(),
                reason: n.revoked.clone().unwrap_or_default(),
            });
        }
        Ok(())
    }
}
