//! The catalog: a [`Backend`] and the operations on it. Reading a bucket
//! lists its tags and fetches its version indexes (`vN`) and event
//! artifacts (`kiln.ev.<ULID>`), whose annotations carry the records, and
//! replays them ([`BucketState`]). Writing only ever adds tags that did
//! not exist (versions, events) or moves derived ones (channels, the
//! referrers fallback), so a kill at any moment leaves a readable catalog.

use crate::backend::{Backend, Expect, RawManifest};
use crate::error::CatalogError;
use crate::model::{Event, VersionRecord, FORMAT};
use crate::names::{self, EVENT_TAG_PREFIX};
use crate::oci::{self, Descriptor, Index, Manifest};
use crate::state::BucketState;
use std::collections::BTreeMap;
use std::time::Duration;

pub struct Catalog {
    pub(crate) backend: Box<dyn Backend>,
}

/// How many times a writer retries a tag another writer moved meanwhile.
pub(crate) const TRIES: u32 = 20;

impl Catalog {
    pub fn new(backend: Box<dyn Backend>) -> Catalog {
        Catalog { backend }
    }

    pub fn location(&self) -> String {
        self.backend.location()
    }

    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    pub fn buckets(&self) -> Result<Vec<String>, CatalogError> {
        self.backend.buckets()
    }

    /// The bucket's name as stored, or `UnknownBucket`.
    pub(crate) fn existing(&self, bucket: &str) -> Result<String, CatalogError> {
        let b = names::check_bucket(bucket)?;
        if !self.backend.bucket_exists(&b)? {
            return Err(CatalogError::UnknownBucket {
                bucket: bucket.to_owned(),
                location: self.location(),
            });
        }
        Ok(b)
    }

    /// Everything about one bucket, replayed as of now.
    pub fn state(&self, bucket: &str) -> Result<BucketState, CatalogError> {
        let b = self.existing(bucket)?;
        self.state_of(&b)
    }

    pub(crate) fn state_of(&self, b: &str) -> Result<BucketState, CatalogError> {
        let tags = self.backend.tags(b)?;
        let (mut versions, mut events, covered) = self.read_summary(b)?;
        let missing: Vec<String> = tags
            .iter()
            .filter(|t| !covered.contains(t.as_str()))
            .cloned()
            .collect();
        versions.extend(self.read_versions(b, &missing)?);
        events.extend(self.read_events(b, &missing)?);
        Ok(BucketState::replay(
            b,
            versions,
            events,
            jiff::Timestamp::now(),
        ))
    }

    /// What the summary index lists: versions, events, and the tags they
    /// stand for.
    #[allow(clippy::type_complexity)]
    fn read_summary(
        &self,
        b: &str,
    ) -> Result<
        (
            BTreeMap<u64, VersionRecord>,
            Vec<Event>,
            std::collections::BTreeSet<String>,
        ),
        CatalogError,
    > {
        let mut versions = BTreeMap::new();
        let mut events = Vec::new();
        let mut covered = std::collections::BTreeSet::new();
        let Some(raw) = self.backend.get_manifest(b, names::SUMMARY_TAG)? else {
            return Ok((versions, events, covered));
        };
        let index: Index = oci::parse(&format!("{b}:{}", names::SUMMARY_TAG), &raw)?;
        for d in index.manifests {
            match d.artifact_type.as_deref() {
                Some(oci::VERSION_TYPE) => {
                    let Some(json) = d.annotations.get(oci::ANN_RECORD) else {
                        continue;
                    };
                    let rec: VersionRecord = serde_json::from_str(json)
                        .map_err(|e| CatalogError::corrupt(format!("{b} summary"), e))?;
                    covered.insert(names::version_tag(rec.version));
                    versions.insert(rec.version, rec);
                }
                Some(oci::EVENT_TYPE) => {
                    let Some(json) = d.annotations.get(oci::ANN_EVENT) else {
                        continue;
                    };
                    let e = parse_event(&format!("{b} summary"), json)?;
                    covered.insert(format!("{EVENT_TAG_PREFIX}{}", e.id));
                    events.push(e);
                }
                _ => {}
            }
        }
        Ok((versions, events, covered))
    }

    fn read_versions(
        &self,
        b: &str,
        tags: &[String],
    ) -> Result<BTreeMap<u64, VersionRecord>, CatalogError> {
        let refs: Vec<String> = tags
            .iter()
            .filter(|t| t.starts_with('v') && names::parse_version(t).is_ok())
            .cloned()
            .collect();
        let mut out = BTreeMap::new();
        for (tag, m) in refs.iter().zip(self.backend.get_manifests(b, &refs)?) {
            let Some(m) = m else { continue };
            let rec = version_of(b, tag, &m)?;
            out.insert(rec.version, rec);
        }
        Ok(out)
    }

    fn read_events(&self, b: &str, tags: &[String]) -> Result<Vec<Event>, CatalogError> {
        let refs: Vec<String> = tags
            .iter()
            .filter(|t| t.starts_with(EVENT_TAG_PREFIX))
            .cloned()
            .collect();
        let mut out = Vec::new();
        for (tag, m) in refs.iter().zip(self.backend.get_manifests(b, &refs)?) {
            let Some(m) = m else { continue };
            out.push(event_of(b, tag, &m)?);
        }
        Ok(out)
    }

    /// The version index of `vN`, as stored.
    pub(crate) fn version_index(&self, b: &str, n: u64) -> Result<RawManifest, CatalogError> {
        self.backend
            .get_manifest(b, &names::version_tag(n))?
            .ok_or_else(|| CatalogError::UnknownVersion {
                bucket: b.to_owned(),
                version: names::version_tag(n),
            })
    }

    /// Store a JSON document as a blob of `media_type`; its descriptor.
    pub(crate) fn put_json_blob(
        &self,
        b: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Descriptor, CatalogError> {
        let digest = crate::digest::sha256_digest(bytes);
        self.backend.put_blob(b, &digest, bytes)?;
        Ok(Descriptor::blob(media_type, &digest, bytes.len() as u64))
    }

    pub(crate) fn put_empty_config(&self, b: &str) -> Result<(), CatalogError> {
        self.backend
            .put_blob(b, oci::EMPTY_DIGEST, oci::EMPTY_BYTES)
    }

    /// Record `event` about version `event.version`: its artifact (the
    /// version index as `subject`), its own tag, and its place among the
    /// version's referrers.
    pub(crate) fn append_event(&self, b: &str, event: &Event) -> Result<(), CatalogError> {
        let subject = self.version_index(b, event.version)?;
        let json = serde_json::to_string(event).map_err(|e| CatalogError::corrupt("event", e))?;
        self.put_empty_config(b)?;
        let layer = self.put_json_blob(b, oci::EVENT_TYPE, json.as_bytes())?;
        let mut m = Manifest::artifact(oci::EVENT_TYPE, vec![layer]);
        m.subject = Some(Descriptor::of(&subject));
        m.annotations.insert(oci::ANN_EVENT.into(), json);
        m.annotations
            .insert(oci::ANN_CREATED.into(), event.at.clone());
        let raw = m.raw();
        let tag = format!("{EVENT_TAG_PREFIX}{}", event.id);
        if !self.backend.set_tag(b, &tag, &raw, &Expect::Absent)? {
            return Err(CatalogError::corrupt(tag, "an event with this id exists"));
        }
        self.add_referrer(b, &subject.digest, &raw, &m)?;
        let mut desc = Descriptor::of(&raw);
        desc.artifact_type = m.artifact_type.clone();
        desc.annotations = m.annotations;
        self.add_to_summary(b, desc)
    }

    /// List a version or an event in the bucket's summary index, so that
    /// reading a bucket takes two requests however many versions it has.
    /// Best effort: readers fetch whatever the summary lacks from its own
    /// tag, so a summary update lost to a kill or a race costs only time.
    pub(crate) fn add_to_summary(&self, b: &str, desc: Descriptor) -> Result<(), CatalogError> {
        match self.add_to_index(b, names::SUMMARY_TAG, desc) {
            Err(CatalogError::Contended { .. }) => Ok(()),
            other => other,
        }
    }

    /// List `referrer` among the referrers of `subject`: nothing to do
    /// where the store has the referrers API (the registry indexes the
    /// `subject` field itself), else the `sha256-<hex>` tag's index,
    /// updated by compare-before-put.
    fn add_referrer(
        &self,
        b: &str,
        subject: &str,
        referrer: &RawManifest,
        m: &Manifest,
    ) -> Result<(), CatalogError> {
        if self.backend.referrers(b, subject)?.is_some() {
            return Ok(());
        }
        let Some(tag) = names::referrers_tag(subject) else {
            return Ok(());
        };
        let mut desc = Descriptor::of(referrer);
        desc.artifact_type = m.artifact_type.clone();
        desc.annotations = m.annotations.clone();
        self.add_to_index(b, &tag, desc)
    }

    /// Add `desc` to the image index tagged `tag` (creating it), by
    /// compare-before-put, retried until confirmed.
    pub(crate) fn add_to_index(
        &self,
        b: &str,
        tag: &str,
        desc: Descriptor,
    ) -> Result<(), CatalogError> {
        for attempt in 0..TRIES {
            let current = self.backend.get_manifest(b, tag)?;
            let (mut index, expect) = match &current {
                Some(raw) => (
                    oci::parse::<Index>(tag, raw)?,
                    Expect::Digest(raw.digest.clone()),
                ),
                None => (Index::new(Vec::new()), Expect::Absent),
            };
            if index.manifests.iter().any(|d| d.digest == desc.digest) {
                return Ok(());
            }
            index.manifests.push(desc.clone());
            if self.backend.set_tag(b, tag, &index.raw(), &expect)?
                && self.confirmed(b, tag, &desc.digest)?
            {
                return Ok(());
            }
            backoff(attempt);
        }
        Err(CatalogError::Contended {
            what: format!("{b}:{tag}"),
            tries: TRIES,
        })
    }

    /// After a registry's compare-then-put, read the tag back a moment
    /// later: another writer that compared at the same time may have put
    /// over us. A directory store's put was exact.
    fn confirmed(&self, b: &str, tag: &str, contains: &str) -> Result<bool, CatalogError> {
        if self.backend.conditional_tags() {
            return Ok(true);
        }
        std::thread::sleep(jitter(20, 60));
        let Some(now) = self.backend.get_manifest(b, tag)? else {
            return Ok(false);
        };
        let index: Index = oci::parse(tag, &now)?;
        Ok(index.manifests.iter().any(|d| d.digest == contains))
    }

    /// The events attached to a version, through the referrers API or
    /// its fallback tag.
    pub fn referrers(&self, bucket: &str, version: u64) -> Result<Vec<Event>, CatalogError> {
        let b = self.existing(bucket)?;
        let subject = self.version_index(&b, version)?;
        self.events_about(&b, &subject.digest)
    }

    /// The events whose subject is the manifest `subject`, in order.
    pub(crate) fn events_about(&self, b: &str, subject: &str) -> Result<Vec<Event>, CatalogError> {
        let b = b.to_owned();
        let descs = match self.backend.referrers(&b, subject)? {
            Some(d) => d,
            None => match names::referrers_tag(subject)
                .map(|t| self.backend.get_manifest(&b, &t))
                .transpose()?
                .flatten()
            {
                Some(raw) => oci::parse::<Index>("referrers", &raw)?.manifests,
                None => Vec::new(),
            },
        };
        let mut out = Vec::new();
        for d in descs {
            if d.artifact_type.as_deref() != Some(oci::EVENT_TYPE) {
                continue;
            }
            if let Some(json) = d.annotations.get(oci::ANN_EVENT) {
                out.push(parse_event(&d.digest, json)?);
            } else if let Some(m) = self.backend.get_manifest(&b, &d.digest)? {
                out.push(event_of(&b, &d.digest, &m)?);
            }
        }
        crate::state::sort_events(&mut out);
        Ok(out)
    }

    /// Point channel tag `channel` at the version the state says it is on
    /// (a derived tag, for skopeo and other OCI clients: the events are
    /// the record).
    pub(crate) fn sync_channel_tag(
        &self,
        b: &str,
        state: &BucketState,
        channel: &str,
    ) -> Result<(), CatalogError> {
        let mut target = state.channels.get(channel).and_then(|c| c.effective);
        // Another writer's event may land between our read and our tag
        // write: read again after writing, until the tag matches what
        // the events say (every writer does this after its own event, so
        // the last one leaves the tag right).
        if !state.channels.contains_key(channel) {
            return Ok(());
        }
        for _ in 0..5 {
            let index = match target {
                Some(v) => self.version_index(b, v)?,
                None => self.empty_channel_index(b, channel)?,
            };
            self.backend.set_tag(b, channel, &index, &Expect::Any)?;
            let now = self.state_of(b)?;
            let again = now.channels.get(channel).and_then(|c| c.effective);
            if again == target {
                return Ok(());
            }
            target = again;
        }
        Ok(())
    }
}

impl Catalog {
    /// What an emptied channel's tag points at: an index of nothing, so
    /// that pulling the channel fails instead of handing out the version
    /// it was taken off (registries cannot delete a tag without deleting
    /// the version it points at).
    fn empty_channel_index(&self, b: &str, channel: &str) -> Result<RawManifest, CatalogError> {
        let mut index = Index::new(Vec::new());
        index
            .annotations
            .insert(oci::ANN_EMPTY_CHANNEL.into(), channel.to_owned());
        let raw = index.raw();
        self.backend.put_manifest(b, &raw)?;
        Ok(raw)
    }
}

pub(crate) fn version_of(
    b: &str,
    tag: &str,
    m: &RawManifest,
) -> Result<VersionRecord, CatalogError> {
    let what = || format!("{b}:{tag}");
    let index: Index = oci::parse(&what(), m)?;
    let json = index
        .annotations
        .get(oci::ANN_RECORD)
        .ok_or_else(|| CatalogError::corrupt(what(), "no version record annotation"))?;
    let rec: VersionRecord =
        serde_json::from_str(json).map_err(|e| CatalogError::corrupt(what(), e))?;
    if rec.format > FORMAT {
        return Err(CatalogError::corrupt(
            what(),
            format!("written by a newer kiln (format {})", rec.format),
        ));
    }
    Ok(rec)
}

pub(crate) fn event_of(b: &str, tag: &str, m: &RawManifest) -> Result<Event, CatalogError> {
    let man: Manifest = oci::parse(&format!("{b}:{tag}"), m)?;
    let json = man
        .annotations
        .get(oci::ANN_EVENT)
        .ok_or_else(|| CatalogError::corrupt(format!("{b}:{tag}"), "no event annotation"))?;
    parse_event(&format!("{b}:{tag}"), json)
}

fn parse_event(what: &str, json: &str) -> Result<Event, CatalogError> {
    serde_json::from_str(json).map_err(|e| CatalogError::corrupt(what, e))
}

/// A random pause between `lo` and `hi` milliseconds, so that writers who
/// collided do not collide again in step.
pub(crate) fn jitter(lo: u64, hi: u64) -> Duration {
    let r = ulid::Ulid::new().random() as u64;
    Duration::from_millis(lo + r % (hi - lo).max(1))
}

pub(crate) fn backoff(attempt: u32) {
    let base = 10u64 << attempt.min(5);
    std::thread::sleep(jitter(base / 2, base * 2));
}
