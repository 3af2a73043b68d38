//! `patchpilot plan`: build, show and diff plans, check policies.

use std::path::Path;

use anyhow::Context;
use jiff::Timestamp;

use crate::artifact::plan::PlanArtifact;
use crate::exit_code;
use crate::output::{Format, Printer, UserError};
use crate::plan::{self, PlanOptions, diff, show};
use crate::policy::{Policy, PolicyError};
use crate::settings::{GlobalSettings, PlanSettings};

/// Runs `plan` and its subcommands.
pub fn run(
    settings: PlanSettings,
    global: &GlobalSettings,
    printer: &Printer,
) -> anyhow::Result<i32> {
    match settings {
        PlanSettings::Build { assessment, policy, output, now } => {
            build(&assessment, &policy, &output, now, global, printer)
        }
        PlanSettings::Show { plan } => show_plan(&plan, printer),
        PlanSettings::Diff { old, new } => diff_plans(&old, &new, printer),
        PlanSettings::CheckPolicy { policy } => check_policy(&policy, printer),
    }
}

/// Loads a policy, turning a bad one into a usage error that lists every issue.
pub fn load_policy(path: &Path) -> anyhow::Result<Policy> {
    Policy::load(path).map_err(|error| match error {
        PolicyError::Invalid { .. } => anyhow::Error::new(
            UserError::usage(error.to_string())
                .with_hint("fix the fields above; `examples/policy.toml` shows every key"),
        ),
        PolicyError::Read { .. } => anyhow::Error::new(UserError::usage(error.to_string()))
            .context(format!("loading policy `{}`", path.display())),
    })
}

/// Reads a plan artifact.
pub fn load_plan(path: &Path) -> anyhow::Result<PlanArtifact> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading plan `{}`", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|error| {
        anyhow::Error::new(UserError::usage(format!("`{}` is not a plan: {error}", path.display())))
    })
}

fn build(
    assessment: &Path,
    policy_path: &Path,
    output: &Path,
    now: Timestamp,
    global: &GlobalSettings,
    printer: &Printer,
) -> anyhow::Result<i32> {
    let policy = load_policy(policy_path)?;
    let input = plan::input::read(assessment)
        .map_err(|error| anyhow::Error::new(UserError::usage(error.to_string())))?;

    let options = PlanOptions { now, operator: global.operator.clone() };
    let mut artifact = plan::build(&input, &policy, &options);
    artifact.meta.record_input("assessment", assessment)?;
    artifact.meta.record_input("policy", policy_path)?;
    crate::artifact::save(output, &artifact, crate::artifact::Layout::Pretty)?;

    report_built(&artifact, output, printer)?;
    Ok(exit_code::SUCCESS)
}

fn report_built(artifact: &PlanArtifact, output: &Path, printer: &Printer) -> anyhow::Result<()> {
    if printer.format() == Format::Json {
        return printer.json(&artifact.summary);
    }
    printer.data(show::plan_tables(artifact));
    let summary = &artifact.summary;
    printer.status(format!(
        "wrote `{}`: {} changes on {} hosts, {} left out, {} SLA misses; patch set {}",
        output.display(),
        summary.changes,
        summary.hosts,
        summary.left_out,
        summary.sla_misses,
        artifact.patch_set.sha256
    ));
    if summary.sla_misses > 0 {
        printer.warning(format!(
            "{} changes end after their SLA deadline; see the `SLA miss` table",
            summary.sla_misses
        ));
    }
    Ok(())
}

fn show_plan(path: &Path, printer: &Printer) -> anyhow::Result<i32> {
    let artifact = load_plan(path)?;
    match printer.format() {
        Format::Json => printer.json(&artifact)?,
        Format::Human => printer.data(show::plan_tables(&artifact)),
    }
    Ok(exit_code::SUCCESS)
}

fn diff_plans(old: &Path, new: &Path, printer: &Printer) -> anyhow::Result<i32> {
    let difference = diff::diff(&load_plan(old)?, &load_plan(new)?);
    match printer.format() {
        Format::Json => printer.json(&difference)?,
        Format::Human => printer.data(show::diff_tables(&difference)),
    }
    Ok(exit_code::SUCCESS)
}

fn check_policy(path: &Path, printer: &Printer) -> anyhow::Result<i32> {
    let policy = load_policy(path)?;
    printer.status(format!(
        "policy `{}` is valid: {} windows, {} freezes, {} waves, {} exceptions, {} operators",
        path.display(),
        policy.windows.len(),
        policy.freezes.len(),
        policy.waves.len(),
        policy.exceptions.len(),
        policy.operators.len()
    ));
    Ok(exit_code::SUCCESS)
}
