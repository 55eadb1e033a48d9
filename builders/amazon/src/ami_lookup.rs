//! The one AMI lookup: an AMI id and/or Packer's filter options (filters,
//! owners, most_recent, include_deprecated) → exactly one image, with
//! Packer's errors. amazon-ebs's `source_ami`/`source_ami_filter` and the
//! `amazon-ami` data source both call [`find_image`].

use crate::config::AmiFilter;
use crate::error::AmazonError;
use crate::session::Ec2;
use crate::steps::filters;
use aws_sdk_ec2::types::Image;
use kiln_core::Cancel;

/// The image `source_ami` (if any) and `filter` select.
pub fn find_image(
    ec2: &Ec2,
    cancel: &Cancel,
    source_ami: Option<&str>,
    filter: &AmiFilter,
) -> Result<Image, AmazonError> {
    let mut req = ec2.client.describe_images();
    if let Some(id) = source_ami {
        req = req.image_ids(id);
    }
    let most_recent = filter.most_recent == Some(true);
    if let Some(f) = filter.filters.as_ref().filter(|f| !f.is_empty()) {
        req = req.set_filters(Some(filters(f)));
    }
    if let Some(o) = filter.owners.as_ref().filter(|o| !o.is_empty()) {
        req = req.set_owners(Some(o.clone()));
    }
    // Packer always sends it: false leaves deprecated AMIs of other
    // owners out.
    req = req.include_deprecated(filter.include_deprecated == Some(true));
    let out = ec2
        .call(cancel, "DescribeImages", req.send())
        .map_err(|source| AmazonError::Call {
            context: "Error querying AMI".to_owned(),
            source,
        })?;
    let images = out.images();
    if images.is_empty() {
        return Err(AmazonError::NoSourceAmi(describe_query(source_ami, filter)));
    }
    if images.len() > 1 && !most_recent {
        return Err(AmazonError::AmbiguousSourceAmi);
    }
    let image = if most_recent {
        newest(images)
    } else {
        images.first()
    };
    image.cloned().ok_or(AmazonError::MissingState {
        step: "find_image",
        what: "image",
    })
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

/// The query in the "No AMI was found" error, so the user sees what was
/// asked.
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

    #[test]
    fn the_no_match_error_names_the_query() {
        let f = AmiFilter {
            filters: Some([("name".to_owned(), "x-*".to_owned())].into()),
            owners: Some(vec!["self".to_owned()]),
            ..AmiFilter::default()
        };
        assert_eq!(
            describe_query(None, &f),
            "{ Filter name=x-*, Owners: [self] }"
        );
    }
}
