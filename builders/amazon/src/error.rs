//! The builder's errors. An EC2 error names the operation and AWS's own
//! error code, so a user can look it up or fix the IAM policy.

use kiln_core::BuildError;

#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// EC2 refused a call: `Operation: Code: message`.
    #[error("{op}: {code}: {message}")]
    Api {
        op: &'static str,
        code: String,
        message: String,
    },
    /// The call did not get an answer from EC2 (network, TLS, timeout).
    #[error("{op}: {detail}")]
    Transport { op: &'static str, detail: String },
    /// The build was cancelled while a call or a wait was under way.
    #[error("cancelled")]
    Cancelled,
    /// A wait ran out of attempts.
    #[error("exceeded wait attempts ({attempts}) waiting for {what}")]
    WaitExhausted { what: String, attempts: u32 },
    /// A wait saw a state it cannot come back from.
    #[error("{what} reached state {state:?}{reason}")]
    WaitFailed {
        what: String,
        state: String,
        reason: String,
    },
    /// EC2 answered without a value the builder needs.
    #[error("{op}: the response has no {field}")]
    Missing {
        op: &'static str,
        field: &'static str,
    },
    /// No tokio runtime could be started for the SDK.
    #[error("cannot start the AWS SDK runtime: {0}")]
    Runtime(String),
    /// The session's credentials (Vault, the profile files, MFA) could not
    /// be set up.
    #[error(transparent)]
    Credentials(#[from] crate::credentials::CredentialsError),
    /// `user_data_file` could not be read.
    #[error("Problem reading user data file: {0}")]
    UserData(String),
}

impl AwsError {
    /// AWS's error code, if EC2 answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.code().is_some_and(|c| c.ends_with(".NotFound"))
    }
}

impl From<AwsError> for BuildError {
    fn from(e: AwsError) -> BuildError {
        match e {
            AwsError::Cancelled => BuildError::Cancelled,
            other => BuildError::failed(other),
        }
    }
}

/// A failure of the amazon-ebs builder, worded as Packer 1.6.6 words it
/// (tests and users match these texts).
#[derive(Debug, thiserror::Error)]
pub enum AmazonError {
    /// An EC2 call failed: `"{context}: {error}"`.
    #[error("{context}: {source}")]
    Call {
        context: String,
        #[source]
        source: AwsError,
    },
    #[error("invalid 'ami_name': {0}")]
    AmiName(String),
    #[error("region must be specified (the region argument, AWS_REGION or the profile's region)")]
    NoRegion,
    #[error("kiln test on amazon-ebs needs the AMI to test: -artifact=ami-… (or -artifact=REGION:ami-…)")]
    TestNeedsAmi,
    #[error("{}", crate::NO_CREDENTIALS)]
    NoCredentials,
    /// A credential provider failed (Packer's wording).
    #[error("Error loading credentials for AWS Provider: {0}")]
    LoadCredentials(String),
    #[error("deprecate_at: {0}")]
    DeprecateAt(String),
    /// No subnet, or no single one, matches `subnet_filter`.
    #[error("{0}")]
    Subnet(String),
    #[error("Error waiting for SSH: couldn't determine address for instance")]
    NoSshAddress,
    #[error("Error interpolating AMI description: {0}")]
    Description(String),
    #[error("Error reading SSH private key file {file}: {source}")]
    ReadKey {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("Error saving debug key: {0}")]
    DebugKey(#[source] std::io::Error),
    #[error("error validating regions: Invalid region(s): [{}], available regions: [{}]", .invalid.join(" "), .known.join(" "))]
    InvalidRegions {
        invalid: Vec<String>,
        known: Vec<String>,
    },
    #[error("Error: subnet_id or subnet_filter must be provided for non-default VPCs")]
    NonDefaultVpc,
    #[error("Error: AMI Name: '{name}' is used by an existing AMI: {id}")]
    AmiNameTaken { name: String, id: String },
    #[error("Error tagging AMI: {0}")]
    Tags(String),
    #[error("No AMI was found matching filters: {0}")]
    NoSourceAmi(String),
    #[error("Your query returned more than one result. Please try a more specific search, or set most_recent to true.")]
    AmbiguousSourceAmi,
    #[error(
        "The provided source AMI has an invalid root device type.\nExpected 'ebs', got '{0}'."
    )]
    RootDeviceType(String),
    /// A step ran before the one that sets what it needs: a bug in the
    /// step order, not something a user can fix.
    #[error("{step}: no {what} (an earlier step should have set it)")]
    MissingState {
        step: &'static str,
        what: &'static str,
    },
    #[error("No security groups found for filters: {0}")]
    NoSecurityGroups(String),
    #[error("{0}")]
    PublicIp(String),
    /// `vpc_filter` matched no VPC or several.
    #[error("Exactly one VPC should match the filter, but {count} VPC's was found matching filters: {filters}")]
    VpcFilter { count: usize, filters: String },
    /// CreateFleet launched no instance.
    #[error("{0}")]
    Fleet(String),
    /// EnableFastLaunch failed in some regions.
    #[error("Failed to enable fast-launch because of errors")]
    FastLaunch,
    /// Deregistering the artifact's AMIs failed in some regions.
    #[error("{}", .0.join("; "))]
    Destroy(Vec<String>),
}

impl From<AmazonError> for BuildError {
    fn from(e: AmazonError) -> BuildError {
        match e {
            AmazonError::Call {
                source: AwsError::Cancelled,
                ..
            } => BuildError::Cancelled,
            other => BuildError::failed(other),
        }
    }
}

/// Show a step failure to the user as Packer does (the step's own error
/// line), then hand it to the runner. A cancellation stays a cancellation
/// and prints nothing.
pub fn report(ctx: &kiln_core::BuildCtx<'_>, e: AmazonError) -> BuildError {
    if !matches!(
        e,
        AmazonError::Call {
            source: AwsError::Cancelled,
            ..
        }
    ) {
        ctx.ui.error(&e.to_string());
    }
    e.into()
}

/// An EC2 call failed in a step: `"{context}: {error}"`, shown to the user.
pub fn fail(ctx: &kiln_core::BuildCtx<'_>, context: &str, e: AwsError) -> BuildError {
    report(
        ctx,
        AmazonError::Call {
            context: context.to_owned(),
            source: e,
        },
    )
}
