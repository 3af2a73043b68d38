//! `patchpilot assess`: inventory + feeds + policy -> `assessment.json`.
//!
//! Orchestration only: resolve settings, load the policy, the inventory and
//! every feed, apply the gates (`--strict`, `--max-age`), hand the work to
//! [`crate::advisory`] and [`crate::risk`], write the artifact atomically and
//! show the result.

mod inventory_stream;
mod render;
mod settings;

use std::sync::mpsc;

use anyhow::Context;

use crate::advisory::feed::{self, FeedError, check_age};
use crate::advisory::index::AdvisoryIndex;
use crate::advisory::{Advisory, epss, kev};
use crate::artifact::assessment::HostAssessment;
use crate::artifact::assessment::{
    self, AssessmentArtifact, FeedSource, PolicySummary, SkippedRecord,
};
use crate::artifact::{self, ArtifactMeta, InputDigest};
use crate::exit_code;
use crate::output::{Format, Printer, UserError};
use crate::risk::assessment::{Assessor, Intel, Previous, summarize};
use crate::risk::host::HostView;
use crate::risk::policy::LoadedPolicy;
use crate::risk::rules::Classifier;
use crate::settings::GlobalSettings;

use inventory_stream::{InventoryBytes, InventoryStream};
pub use settings::AssessSettings;

/// Skipped-record warnings printed one by one; the rest are counted.
const MAX_RECORD_WARNINGS: usize = 20;

/// Everything read from the feeds.
struct Feeds {
    sources: Vec<FeedSource>,
    skipped: Vec<SkippedRecord>,
    advisories: Vec<Advisory>,
    intel: Intel,
}

pub fn run(
    args: &crate::cli::AssessArgs,
    global: &GlobalSettings,
    printer: &Printer,
) -> anyhow::Result<i32> {
    let settings = AssessSettings::resolve(args)?;
    let (policy, classifier) = load_policy(&settings)?;
    let previous = match &settings.previous {
        Some(path) => Previous::from_artifact(&AssessmentArtifact::load(path)?),
        None => Previous::default(),
    };

    let started = std::time::Instant::now();
    let path = &settings.inventory;
    let inventory_file =
        std::fs::File::open(path).with_context(|| format!("reading `{}`", path.display()))?;
    let inventory_bytes = InventoryBytes::new();
    let (feeds, hosts, inventory_digest) = std::thread::scope(|scope| {
        let (inventory, parsed_hosts) =
            InventoryStream::start(scope, inventory_file, &inventory_bytes, started);
        let assessed =
            assess_hosts(&settings, &policy, &classifier, &previous, parsed_hosts, printer);
        let inventory_digest = inventory.finish(path)?;
        let (feeds, hosts) = assessed?;
        anyhow::Ok((feeds, hosts, inventory_digest))
    })?;
    tracing::info!(elapsed = ?started.elapsed(), "hosts assessed");

    let mut meta = ArtifactMeta::new("assessment", assessment::SCHEMA_VERSION, &global.operator);
    meta.inputs.push(InputDigest {
        role: "inventory".into(),
        path: path.clone(),
        sha256: inventory_digest,
    });
    if let Some(path) = &settings.previous {
        meta.record_input("previous-assessment", path)?;
    }
    let artifact = AssessmentArtifact {
        meta,
        assessed_on: settings.today.to_string(),
        sources: feeds.sources,
        skipped_records: feeds.skipped,
        policy: PolicySummary {
            origin: policy.origin,
            sha256: policy.sha256,
            rules: classifier.rule_names(),
        },
        summary: summarize(&hosts, settings.top),
        hosts,
    };
    tracing::info!(elapsed = ?started.elapsed(), "summarized");
    artifact::save(&settings.output, &artifact, artifact::assessment::LAYOUT)?;
    tracing::info!(elapsed = ?started.elapsed(), "assessment written");
    show(&artifact, &settings, global, printer)?;

    // A fleet's inventory and findings are millions of small allocations;
    // freeing them one by one takes a noticeable share of the run, and the
    // process is about to exit and hand the memory back in one go.
    std::mem::forget((inventory_bytes, artifact));
    Ok(exit_code::SUCCESS)
}

/// Loads the feeds, applies the gates, builds the advisory index and
/// assesses every host as the inventory's parser hands it over. The feeds
/// come back without their advisories, which the index consumed.
fn assess_hosts(
    settings: &AssessSettings,
    policy: &LoadedPolicy,
    classifier: &Classifier,
    previous: &Previous,
    parsed_hosts: mpsc::Receiver<HostView<'_>>,
    printer: &Printer,
) -> anyhow::Result<(Feeds, Vec<HostAssessment>)> {
    let started = std::time::Instant::now();
    let mut feeds = load_feeds(settings, printer)?;
    tracing::info!(advisories = feeds.advisories.len(), elapsed = ?started.elapsed(), "feeds read");
    apply_gates(settings, &feeds, printer)?;

    let index = AdvisoryIndex::new(std::mem::take(&mut feeds.advisories));
    let assessor =
        Assessor::new(&index, &feeds.intel, &policy.policy, classifier, previous, settings.today);
    report_cvss_errors(&assessor.cvss_errors, settings.strict, printer)?;
    let hosts = assessor
        .assess_stream(parsed_hosts)
        .map_err(|error| UserError::usage(error.to_string()))?;

    // Millions of small allocations, freed when the process exits.
    std::mem::forget(index);
    Ok((feeds, hosts))
}

fn load_policy(settings: &AssessSettings) -> anyhow::Result<(LoadedPolicy, Classifier)> {
    let policy = match &settings.policy {
        Some(path) => LoadedPolicy::from_file(path),
        None => LoadedPolicy::built_in(),
    }
    .map_err(|error| UserError::usage(error.to_string()))?;
    let classifier = Classifier::new(&policy.policy, &policy.origin)
        .map_err(|error| UserError::usage(error.to_string()))?;
    Ok((policy, classifier))
}

#[expect(clippy::needless_pass_by_value, reason = "used as a `map_err` adapter")]
fn feed_error(error: FeedError) -> anyhow::Error {
    UserError::usage(error.to_string()).into()
}

fn load_feeds(settings: &AssessSettings, printer: &Printer) -> anyhow::Result<Feeds> {
    let mut feeds = Feeds {
        sources: Vec::new(),
        skipped: Vec::new(),
        advisories: Vec::new(),
        intel: Intel::default(),
    };
    if settings.advisories.is_empty() {
        printer
            .warning("no `--advisories` given: only pending updates and end-of-life are assessed");
    }
    for path in &settings.advisories {
        let loaded = feed::load_advisories(path).map_err(feed_error)?;
        tracing::info!(path = %path.display(), advisories = loaded.advisories.len(), "feed read");
        feeds.sources.push(loaded.source);
        feeds.skipped.extend(loaded.skipped);
        feeds.advisories.extend(loaded.advisories);
    }
    if let Some(path) = &settings.kev {
        let (catalog, source, skipped) = kev::load(path).map_err(feed_error)?;
        feeds.intel.kev = catalog;
        feeds.sources.push(source);
        feeds.skipped.extend(skipped);
    }
    if let Some(path) = &settings.epss {
        let (scores, source, skipped) = epss::load(path).map_err(feed_error)?;
        feeds.intel.epss = scores;
        feeds.sources.push(source);
        feeds.skipped.extend(skipped);
    }
    Ok(feeds)
}

/// Malformed records are warnings (errors with `--strict`); feeds older than
/// `--max-age` are errors; undated feeds under `--max-age` are warnings
/// (errors with `--strict`).
fn apply_gates(settings: &AssessSettings, feeds: &Feeds, printer: &Printer) -> anyhow::Result<()> {
    for record in feeds.skipped.iter().take(MAX_RECORD_WARNINGS) {
        printer.warning(format!(
            "skipped record `{}` in `{}`: {}",
            record.record, record.file, record.reason
        ));
    }
    if feeds.skipped.len() > MAX_RECORD_WARNINGS {
        printer.warning(format!(
            "… and {} more skipped records (all are listed in the artifact)",
            feeds.skipped.len() - MAX_RECORD_WARNINGS
        ));
    }
    if settings.strict && !feeds.skipped.is_empty() {
        return Err(UserError::usage(format!(
            "{} malformed feed records and `--strict` is set",
            feeds.skipped.len()
        ))
        .with_hint("fix or remove the records named above, or drop `--strict` to skip them")
        .into());
    }

    let Some(max_age) = settings.max_age_days else {
        return Ok(());
    };
    let (stale, undated) = check_age(&feeds.sources, settings.today, max_age);
    for path in &undated {
        printer.warning(format!("feed `{path}` carries no data date; its age cannot be checked"));
    }
    if !stale.is_empty() {
        let list: Vec<String> = stale
            .iter()
            .map(|feed| {
                format!("`{}` (data of {}, {} days old)", feed.path, feed.data_date, feed.age_days)
            })
            .collect();
        return Err(UserError::usage(format!(
            "feeds older than `--max-age {max_age}` days: {}",
            list.join(", ")
        ))
        .with_hint("refresh the feeds, or raise `--max-age` if old data is acceptable")
        .into());
    }
    if settings.strict && !undated.is_empty() {
        return Err(UserError::usage(format!(
            "{} feeds carry no data date and `--strict` is set",
            undated.len()
        ))
        .into());
    }
    Ok(())
}

fn report_cvss_errors(errors: &[String], strict: bool, printer: &Printer) -> anyhow::Result<()> {
    for error in errors.iter().take(MAX_RECORD_WARNINGS) {
        printer.warning(format!("CVSS ignored: {error}"));
    }
    if strict && !errors.is_empty() {
        return Err(UserError::usage(format!(
            "{} CVSS vectors do not parse and `--strict` is set",
            errors.len()
        ))
        .into());
    }
    Ok(())
}

fn show(
    artifact: &AssessmentArtifact,
    settings: &AssessSettings,
    global: &GlobalSettings,
    printer: &Printer,
) -> anyhow::Result<()> {
    if global.csv {
        printer.data(render::findings_csv(artifact)?.trim_end());
        return Ok(());
    }
    match printer.format() {
        Format::Json => printer.json(&artifact.summary),
        Format::Human => {
            if !printer.is_quiet() {
                printer.data(render::summary(artifact, &settings.output.display().to_string()));
            }
            Ok(())
        }
    }
}
