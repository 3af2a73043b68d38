//! `patchpilot approve`: sign a plan for a role, or check its approvals.

use std::collections::BTreeSet;
use std::path::Path;

use jiff::Timestamp;

use super::plan::{load_plan, load_policy};
use crate::approval::{self, ApprovalError, LogEvent, Signer};
use crate::exit_code;
use crate::output::{Format, Printer, UserError};
use crate::policy::access::{self, Action};
use crate::settings::{ApproveSettings, GlobalSettings};

/// Runs `approve`.
pub fn run(
    settings: ApproveSettings,
    global: &GlobalSettings,
    printer: &Printer,
) -> anyhow::Result<i32> {
    match settings {
        ApproveSettings::Sign { plan, key, role, policy } => {
            sign(&plan, &key, &role, &policy, &global.operator, printer)
        }
        ApproveSettings::Verify { plan, policy } => verify(&plan, &policy, printer),
        ApproveSettings::AllowedSigners { policy } => {
            printer.data(approval::allowed_signers(&load_policy(&policy)?).trim_end());
            Ok(exit_code::SUCCESS)
        }
    }
}

fn sign(
    plan: &Path,
    key: &Path,
    role: &str,
    policy_path: &Path,
    operator: &str,
    printer: &Printer,
) -> anyhow::Result<i32> {
    let policy = load_policy(policy_path)?;
    let artifact = load_plan(plan)?;
    let required = crate::plan::required_approvals(&artifact.changes, &policy);
    let environments: BTreeSet<String> = artifact
        .approvals_required
        .iter()
        .chain(&required)
        .filter(|(_, roles)| roles.iter().any(|r| r == role))
        .map(|(environment, _)| environment.clone())
        .collect();

    // The refusal is recorded before it is reported, so it leaves a trace
    // even if the operator never reads it.
    let permitted = if environments.is_empty() {
        Err(format!("role `{role}` is not required to approve this plan"))
    } else {
        access::check(
            &policy.roles,
            &policy.operators,
            operator,
            role,
            Action::Approve,
            &environments,
        )
        .map_err(|refusal| refusal.to_string())
    };
    if let Err(refusal) = permitted {
        let entry = approval::log_entry(
            Timestamp::now(),
            LogEvent::Refused,
            plan,
            role,
            operator,
            refusal.clone(),
        )?;
        approval::append_log(plan, &entry)?;
        let error = UserError {
            message: format!("approval refused: {refusal}"),
            hint: None,
            code: exit_code::NOT_PERMITTED,
        }
        .with_hint(format!(
            "the refusal was recorded in `{}`",
            approval::approvals_dir(plan).join("log.jsonl").display()
        ));
        return Err(error.into());
    }

    let signer = Signer::for_key_file(key)?;
    let approval = approval::approve(plan, role, operator, &signer)?;
    let entry = approval::log_entry(
        Timestamp::now(),
        LogEvent::Approved,
        plan,
        role,
        operator,
        approval.fingerprint.clone(),
    )?;
    approval::append_log(plan, &entry)?;

    printer.status(format!(
        "approved `{}` (sha256 {}) as `{operator}` for role `{role}` with {}; signature in `{}`",
        plan.display(),
        approval.plan_sha256,
        approval.fingerprint,
        approval.signature_path.display()
    ));
    Ok(exit_code::SUCCESS)
}

fn verify(plan: &Path, policy_path: &Path, printer: &Printer) -> anyhow::Result<i32> {
    let policy = load_policy(policy_path)?;
    let (report, code) = match approval::verify_approvals(plan, &policy) {
        Ok(report) => (report, exit_code::SUCCESS),
        Err(ApprovalError::Unapproved { report }) => (*report, exit_code::NOT_PERMITTED),
        Err(error) => return Err(error.into()),
    };

    if printer.format() == Format::Json {
        printer.json(&report)?;
    } else {
        for satisfied in &report.satisfied {
            printer.data(format!(
                "ok       {} / {}: signed by `{}` ({})",
                satisfied.environment, satisfied.role, satisfied.operator, satisfied.fingerprint
            ));
        }
        for (environment, role) in &report.missing {
            printer.data(format!("missing  {environment} / {role}"));
        }
        for (file, reason) in &report.rejected {
            printer.warning(format!("`{}` does not count: {reason}", file.display()));
        }
    }
    if code != exit_code::SUCCESS {
        printer.warning(format!(
            "plan `{}` is not approved: {}",
            plan.display(),
            report.missing_text()
        ));
    }
    Ok(code)
}
