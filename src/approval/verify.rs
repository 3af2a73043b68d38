//! Checking a plan's approvals: the gate `rollout` calls.
//!
//! Every signature under `<plan>.approvals/` is checked against the plan as
//! it is now: the approval message is recomputed from the plan's bytes, so
//! a changed plan fails every earlier signature. A signature counts only if
//! its key is one the policy lists for that operator, the operator holds
//! the role, and the role may approve in the environment. The required
//! roles are the union of what the plan recorded and what the current
//! policy demands, so neither an old plan nor a newer policy can lower the
//! bar.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use ssh_key::{HashAlg, PublicKey, SshSig};

use super::{ApprovalError, NAMESPACE, approval_message, approvals_dir};
use crate::artifact::plan::PlanArtifact;
use crate::artifact::sha256_hex;
use crate::policy::Policy;

/// The outcome of checking every approval of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ApprovalReport {
    pub plan_sha256: String,
    /// Roles required, by environment.
    pub required: BTreeMap<String, Vec<String>>,
    pub satisfied: Vec<Satisfied>,
    /// `(environment, role)` with no valid signature.
    pub missing: Vec<(String, String)>,
    /// Signature files that do not count, and why.
    pub rejected: Vec<(PathBuf, String)>,
}

/// A required role in an environment, signed for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Satisfied {
    pub environment: String,
    pub role: String,
    pub operator: String,
    pub fingerprint: String,
}

impl ApprovalReport {
    pub fn is_approved(&self) -> bool {
        self.missing.is_empty()
    }

    /// `role` in `environment`, listed for messages.
    pub fn missing_text(&self) -> String {
        self.missing
            .iter()
            .map(|(environment, role)| format!("`{role}` for `{environment}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A signature that verified over the current plan.
struct Valid {
    role: String,
    operator: String,
    fingerprint: String,
}

/// Checks every approval of the plan at `plan` against `policy`. `Ok` only
/// when every required role in every environment has a valid signature;
/// otherwise [`ApprovalError::Unapproved`] carries the full report.
pub fn verify_approvals(plan: &Path, policy: &Policy) -> Result<ApprovalReport, ApprovalError> {
    let bytes = std::fs::read(plan)
        .map_err(|source| ApprovalError::Read { path: plan.to_path_buf(), source })?;
    let artifact: PlanArtifact = serde_json::from_slice(&bytes).map_err(|error| {
        ApprovalError::BadPlan { path: plan.to_path_buf(), message: error.to_string() }
    })?;

    let mut report = ApprovalReport {
        plan_sha256: sha256_hex(&bytes),
        required: required(&artifact, policy),
        ..ApprovalReport::default()
    };
    let valid = check_signatures(plan, &bytes, policy, &mut report)?;

    for (environment, roles) in &report.required {
        for role in roles {
            let signer = valid.iter().find(|v| {
                v.role == *role
                    && policy.roles.get(role).is_some_and(|r| {
                        r.permits(crate::policy::access::Action::Approve, environment)
                    })
            });
            match signer {
                Some(v) => report.satisfied.push(Satisfied {
                    environment: environment.clone(),
                    role: role.clone(),
                    operator: v.operator.clone(),
                    fingerprint: v.fingerprint.clone(),
                }),
                None => report.missing.push((environment.clone(), role.clone())),
            }
        }
    }

    if report.is_approved() {
        Ok(report)
    } else {
        Err(ApprovalError::Unapproved { report: Box::new(report) })
    }
}

fn required(plan: &PlanArtifact, policy: &Policy) -> BTreeMap<String, Vec<String>> {
    let mut required: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let current = crate::plan::required_approvals(&plan.changes, policy);
    for (environment, roles) in plan.approvals_required.iter().chain(&current) {
        required.entry(environment.clone()).or_default().extend(roles.iter().cloned());
    }
    required
        .into_iter()
        .map(|(environment, roles)| (environment, roles.into_iter().collect()))
        .collect()
}

fn check_signatures(
    plan: &Path,
    bytes: &[u8],
    policy: &Policy,
    report: &mut ApprovalReport,
) -> Result<Vec<Valid>, ApprovalError> {
    let directory = approvals_dir(plan);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&directory) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "sig"))
            .collect(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => return Err(ApprovalError::Read { path: directory, source }),
    };
    files.sort();

    let mut valid = Vec::new();
    for file in files {
        match check_one(&file, bytes, policy) {
            Ok(one) => valid.push(one),
            Err(reason) => report.rejected.push((file, reason)),
        }
    }
    Ok(valid)
}

fn check_one(file: &Path, plan_bytes: &[u8], policy: &Policy) -> Result<Valid, String> {
    let stem = file.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default();
    let (role, operator) = stem
        .split_once('@')
        .ok_or_else(|| "file name is not `<role>@<operator>.sig`".to_string())?;
    let armoured = std::fs::read_to_string(file).map_err(|error| error.to_string())?;
    let signature =
        SshSig::from_pem(armoured).map_err(|error| format!("not an SSH signature: {error}"))?;

    let holder = policy
        .operators
        .get(operator)
        .ok_or_else(|| format!("operator `{operator}` is not in the policy"))?;
    if !holder.roles.iter().any(|held| held == role) {
        return Err(format!("operator `{operator}` does not hold role `{role}`"));
    }
    let key = holder
        .keys
        .iter()
        .filter_map(|text| PublicKey::from_openssh(text).ok())
        .find(|key| key.key_data() == signature.public_key())
        .ok_or_else(|| format!("signed with a key the policy does not list for `{operator}`"))?;

    let message = approval_message(plan_bytes, role, operator);
    key.verify(NAMESPACE, message.as_bytes(), &signature)
        .map_err(|error| format!("signature does not match this plan: {error}"))?;
    Ok(Valid {
        role: role.to_string(),
        operator: operator.to_string(),
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
    })
}
