//! Find the source AMI: `source_ami`, or `source_ami_filter` (its filters
//! and owners; `most_recent` picks the newest of several).

use crate::config::AmiFilter;
use crate::error::{fail, report, AmazonError};
use crate::state::State;
use crate::steps::filters;
use aws_sdk_ec2::types::Image;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};

pub struct StepSourceAmiInfo {
    pub source_ami: Option<String>,
    pub filter: Option<AmiFilter>,
}

impl Step<State> for StepSourceAmiInfo {
    fn name(&self) -> &str {
        "StepSourceAMIInfo"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let ec2 = &state.ec2;
        let mut req = ec2.client.describe_images();
        if let Some(id) = &self.source_ami {
            req = req.image_ids(id);
        }
        let filter = self.filter.clone().unwrap_or_default();
        let most_recent = filter.most_recent == Some(true);
        if let Some(f) = filter.filters.as_ref().filter(|f| !f.is_empty()) {
            req = req.set_filters(Some(filters(f)));
        }
        if let Some(o) = filter.owners.as_ref().filter(|o| !o.is_empty()) {
            req = req.set_owners(Some(o.clone()));
        }
        let out = ec2
            .call(ctx.cancel, "DescribeImages", req.send())
            .map_err(|e| fail(ctx, "Error querying AMI", e))?;
        let images = out.images();
        if images.is_empty() {
            let query = describe_query(self.source_ami.as_deref(), &filter);
            return Err(report(ctx, AmazonError::NoSourceAmi(query)));
        }
        if images.len() > 1 && !most_recent {
            return Err(report(ctx, AmazonError::AmbiguousSourceAmi));
        }
        let image = if most_recent {
            newest(images)
        } else {
            images.first()
        };
        let Some(image) = image.cloned() else {
            return Err(AmazonError::MissingState {
                step: "StepSourceAMIInfo",
                what: "image",
            }
            .into());
        };
        ctx.ui.message(&format!(
            "Found Image ID: {}",
            image.image_id().unwrap_or_default()
        ));
        state.source_image = Some(image);
        let data = state.template_data();
        state.generated.extend(data);
        Ok(())
    }
}

/// The newest image by `CreationDate` (RFC 3339, so the strings sort as
/// the times do); the last of equals, as Packer's sort leaves them.
fn newest(images: &[Image]) -> Option<&Image> {
    images
        .iter()
        .enumerate()
        .max_by(|(ia, a), (ib, b)| {
            let ta = a
                .creation_date()
                .and_then(|d| d.parse::<jiff::Timestamp>().ok());
            let tb = b
                .creation_date()
                .and_then(|d| d.parse::<jiff::Timestamp>().ok());
            ta.cmp(&tb).then(ia.cmp(ib))
        })
        .map(|(_, i)| i)
}

fn describe_query(source: Option<&str>, f: &AmiFilter) -> String {
    let mut parts = Vec::new();
    if let Some(s) = source {
        parts.push(format!("ImageIds: [{s}]"));
    }
    if let Some(map) = &f.filters {
        for (k, v) in map {
            parts.push(format!("Filter {k}={v}"));
        }
    }
    if let Some(o) = &f.owners {
        parts.push(format!("Owners: [{}]", o.join(" ")));
    }
    format!("{{ {} }}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_recent_is_by_creation_time() {
        let img = |id: &str, date: &str| Image::builder().image_id(id).creation_date(date).build();
        let images = [
            img("ami-a", "2020-01-02T00:00:00.000Z"),
            img("ami-b", "2021-06-01T00:00:00.000Z"),
            img("ami-c", "2019-12-31T23:59:59.000Z"),
        ];
        assert_eq!(newest(&images).and_then(|i| i.image_id()), Some("ami-b"));
    }
}
