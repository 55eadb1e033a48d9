//! `iam_instance_profile` and `temporary_iam_instance_profile_policy_document`
//! (Packer's `StepIamInstanceProfile`): check that the named profile
//! exists (unless `skip_profile_validation`), or create a temporary role
//! with the policy inline and a temporary instance profile holding it.
//! Cleanup takes the role out of the profile, deletes the inline policy,
//! the role and the profile, each recorded right after the call that made
//! it.

use crate::config::PolicyDocument;
use crate::error::{fail, AwsError};
use crate::poll::{Poll, Polling};
use crate::session::Session;
use crate::state::State;
use aws_sdk_iam::types::Tag;
use kiln_core::step::Step;
use kiln_core::{BuildCtx, BuildError};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The trust policy of the temporary role: EC2 may assume it.
pub const EC2_TRUST_POLICY: &str = r#"{"Version": "2012-10-17","Statement": [{"Effect": "Allow","Principal": {"Service": "ec2.amazonaws.com"},"Action": "sts:AssumeRole"}]}"#;

pub struct StepIamInstanceProfile {
    pub session: Arc<Session>,
    pub iam_instance_profile: Option<String>,
    pub skip_profile_validation: bool,
    /// The policy document as IAM's JSON.
    pub policy: Option<String>,
    /// `run_tags`, on the temporary role and profile (as Packer).
    pub tags: BTreeMap<String, String>,
    pub polling: Polling,
    /// The temporary profile's name, for tests; `packer-<uuid>` by default.
    pub name: String,
    created_profile: Option<String>,
    created_role: Option<String>,
    policy_put: bool,
    role_attached: bool,
}

impl StepIamInstanceProfile {
    pub fn new(
        session: Arc<Session>,
        iam_instance_profile: Option<String>,
        skip_profile_validation: bool,
        policy: Option<&PolicyDocument>,
        tags: BTreeMap<String, String>,
        polling: Polling,
    ) -> StepIamInstanceProfile {
        StepIamInstanceProfile {
            session,
            iam_instance_profile,
            skip_profile_validation,
            policy: policy.map(policy_json),
            tags,
            polling,
            name: format!("packer-{}", uuid::Uuid::new_v4()),
            created_profile: None,
            created_role: None,
            policy_put: false,
            role_attached: false,
        }
    }

    fn iam_tags(&self) -> Result<Vec<Tag>, AwsError> {
        self.tags
            .iter()
            .map(|(k, v)| {
                Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
                    .map_err(|e| AwsError::Runtime(e.to_string()))
            })
            .collect()
    }

    fn create_temporary(
        &mut self,
        policy: &str,
        state: &mut State,
        ctx: &BuildCtx<'_>,
    ) -> Result<(), BuildError> {
        let iam = self.session.iam();
        let name = self.name.clone();
        let tags = self
            .iam_tags()
            .map_err(|e| fail(ctx, "Error creating IAM tags", e))?;
        ctx.ui.say(&format!(
            "Creating temporary instance profile for this instance: {name}"
        ));
        let out = self
            .session
            .create(
                "CreateInstanceProfile",
                iam.create_instance_profile()
                    .instance_profile_name(&name)
                    .set_tags(Some(tags.clone()))
                    .send(),
            )
            .map_err(|e| fail(ctx, "Error creating instance profile", e))?;
        let profile = out
            .instance_profile()
            .map(|p| p.instance_profile_name().to_owned())
            .unwrap_or_else(|| name.clone());
        self.created_profile = Some(profile.clone());
        self.polling
            .wait(ctx.cancel, &format!("instance profile {profile}"), || {
                exists(
                    self.session.call(
                        ctx.cancel,
                        "GetInstanceProfile",
                        iam.get_instance_profile()
                            .instance_profile_name(&profile)
                            .send(),
                    ),
                )
            })
            .map_err(|e| {
                fail(
                    ctx,
                    &format!("Timed out waiting for instance profile {profile}"),
                    e,
                )
            })?;

        ctx.ui.say(&format!(
            "Creating temporary role for this instance: {name}"
        ));
        let out = self
            .session
            .create(
                "CreateRole",
                iam.create_role()
                    .role_name(&name)
                    .description("Temporary role for Packer")
                    .assume_role_policy_document(EC2_TRUST_POLICY)
                    .set_tags(Some(tags))
                    .send(),
            )
            .map_err(|e| fail(ctx, "Error creating temporary role", e))?;
        let role = out
            .role()
            .map(|r| r.role_name().to_owned())
            .unwrap_or_else(|| name.clone());
        self.created_role = Some(role.clone());
        self.polling
            .wait(ctx.cancel, &format!("role {role}"), || {
                exists(self.session.call(
                    ctx.cancel,
                    "GetRole",
                    iam.get_role().role_name(&role).send(),
                ))
            })
            .map_err(|e| {
                fail(
                    ctx,
                    &format!("Timed out waiting for temporary role {role}"),
                    e,
                )
            })?;

        ctx.ui
            .say(&format!("Attaching policy to the temporary role: {name}"));
        self.session
            .create(
                "PutRolePolicy",
                iam.put_role_policy()
                    .role_name(&role)
                    .policy_name(&role)
                    .policy_document(policy)
                    .send(),
            )
            .map_err(|e| fail(ctx, "Error attaching policy to the temporary role", e))?;
        self.policy_put = true;
        self.session
            .create(
                "AddRoleToInstanceProfile",
                iam.add_role_to_instance_profile()
                    .role_name(&role)
                    .instance_profile_name(&profile)
                    .send(),
            )
            .map_err(|e| fail(ctx, "Error adding the role to the instance profile", e))?;
        self.role_attached = true;
        state.iam_instance_profile = Some(profile);
        Ok(())
    }
}

/// A Get call as a wait: found is ready, `NoSuchEntity` is not yet.
fn exists<T>(r: Result<T, AwsError>) -> Result<Poll<()>, AwsError> {
    match r {
        Ok(_) => Ok(Poll::Ready(())),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(Poll::Pending),
        Err(e) => Err(e),
    }
}

/// The policy document as IAM's JSON (`Version`, `Statement` with
/// `Effect`, `Action`, `Resource`).
pub fn policy_json(d: &PolicyDocument) -> String {
    use serde_json::{json, Value};
    let statements: Vec<Value> = d
        .statement
        .iter()
        .flatten()
        .map(|s| {
            json!({
                "Effect": s.effect.clone().unwrap_or_default(),
                "Action": s.action.clone().unwrap_or_default(),
                "Resource": s.resource.clone().unwrap_or_default(),
            })
        })
        .collect();
    json!({
        "Version": d.version.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| "2012-10-17".to_owned()),
        "Statement": statements,
    })
    .to_string()
}

impl Step<State> for StepIamInstanceProfile {
    fn name(&self) -> &str {
        "StepIamInstanceProfile"
    }

    fn run(&mut self, state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        if let Some(p) = self.iam_instance_profile.clone() {
            if !self.skip_profile_validation {
                let iam = self.session.iam();
                self.session
                    .call(
                        ctx.cancel,
                        "GetInstanceProfile",
                        iam.get_instance_profile().instance_profile_name(&p).send(),
                    )
                    .map_err(|e| fail(ctx, "Couldn't find specified instance profile", e))?;
            }
            state.iam_instance_profile = Some(p);
            return Ok(());
        }
        match self.policy.clone() {
            Some(policy) => self.create_temporary(&policy, state, ctx),
            None => Ok(()),
        }
    }

    fn cleanup(&mut self, _state: &mut State, ctx: &BuildCtx<'_>) -> Result<(), BuildError> {
        let iam = self.session.iam();

        if let (Some(role), Some(profile), true) = (
            &self.created_role,
            &self.created_profile,
            self.role_attached,
        ) {
            ctx.ui
                .say("Detaching temporary role from instance profile...");
            if let Err(e) = self.session.call(
                ctx.cancel,
                "RemoveRoleFromInstanceProfile",
                iam.remove_role_from_instance_profile()
                    .instance_profile_name(profile)
                    .role_name(role)
                    .send(),
            ) {
                ctx.ui.error(&format!(
                    "Error {e}. Please delete the role manually: {role}"
                ));
            }
            self.role_attached = false;
        }
        if let (Some(role), true) = (&self.created_role, self.policy_put) {
            ctx.ui.say("Removing policy from temporary role...");
            if let Err(e) = self.session.call(
                ctx.cancel,
                "DeleteRolePolicy",
                iam.delete_role_policy()
                    .role_name(role)
                    .policy_name(role)
                    .send(),
            ) {
                ctx.ui.error(&format!(
                    "Error {e}. Please delete the role manually: {role}"
                ));
            }
            self.policy_put = false;
        }
        if let Some(role) = self.created_role.take() {
            ctx.ui.say("Deleting temporary role...");
            if let Err(e) = self.session.call(
                ctx.cancel,
                "DeleteRole",
                iam.delete_role().role_name(&role).send(),
            ) {
                ctx.ui.error(&format!(
                    "Error {e}. Please delete the role manually: {role}"
                ));
            }
        }
        if let Some(profile) = self.created_profile.take() {
            ctx.ui.say("Deleting temporary instance profile...");
            if let Err(e) = self.session.call(
                ctx.cancel,
                "DeleteInstanceProfile",
                iam.delete_instance_profile()
                    .instance_profile_name(&profile)
                    .send(),
            ) {
                ctx.ui.error(&format!(
                    "Error {e}. Please delete the instance profile manually: {profile}"
                ));
            }
        }
        Ok(())
    }

    fn left_behind(&self, _state: &State) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(r) = &self.created_role {
            out.push(format!("IAM role {r}"));
        }
        if let Some(p) = &self.created_profile {
            out.push(format!("IAM instance profile {p}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Statement;

    #[test]
    fn the_policy_is_iams_json() {
        let d = PolicyDocument {
            version: Some("2012-10-17".into()),
            statement: Some(vec![Statement {
                effect: Some("Allow".into()),
                action: Some(vec!["s3:GetObject".into()]),
                resource: Some(vec!["*".into()]),
            }]),
        };
        let v: serde_json::Value = serde_json::from_str(&policy_json(&d)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]})
        );
    }
}
