//! `patchpilot assess`: inventory + feeds + policy -> `assessment.json`.
//!
//! Orchestration only: resolve settings, load the policy, the inventory and
//! every feed, apply the gates (`--strict`, `--max-age`), hand the work to
//! [`crate::advisory`] and [`crate::risk`], write the artifact atomically and
//! show the result.

mod render;
mod settings;

use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::advisory::feed::{self, FeedError, check_age};
use crate::advisory::index::AdvisoryIndex;
use crate::advisory::{Advisory, epss, kev};
use crate::artifact::assessment::{
    self, AssessmentArtifact, FeedSource, PolicySummary, SkippedRecord,
};
use crate::artifact::inventory::{self, HostRecord};
use crate::artifact::{self, ArtifactMeta, InputDigest};
use crate::exit_code;
use crate::output::{Format, Printer, UserError};
use crate::risk::assessment::{Assessor, Intel, Previous, summarize};
use crate::risk::policy::LoadedPolicy;
use crate::risk::rules::Classifier;
use crate::settings::GlobalSettings;

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

    let policy = match &settings.policy {
        Some(path) => LoadedPolicy::from_file(path),
        None => LoadedPolicy::built_in(),
    }
    .map_err(|error| UserError::usage(error.to_string()))?;
    let classifier = Classifier::new(&policy.policy, &policy.origin)
        .map_err(|error| UserError::usage(error.to_string()))?;

    let started = std::time::Instant::now();
    let (inventory, inventory_digest) = load_inventory(&settings.inventory)?;
    tracing::info!(hosts = inventory.len(), elapsed = ?started.elapsed(), "inventory read");
    let previous = match &settings.previous {
        Some(path) => Previous::from_artifact(&AssessmentArtifact::load(path)?),
        None => Previous::default(),
    };

    let feeds = load_feeds(&settings, printer)?;
    tracing::info!(advisories = feeds.advisories.len(), elapsed = ?started.elapsed(), "feeds read");
    apply_gates(&settings, &feeds, printer)?;

    let index = AdvisoryIndex::new(feeds.advisories);
    let assessor =
        Assessor::new(&index, &feeds.intel, &policy.policy, &classifier, &previous, settings.today);
    report_cvss_errors(&assessor.cvss_errors, settings.strict, printer)?;
    tracing::info!(elapsed = ?started.elapsed(), "advisories indexed and scored");
    let hosts = assessor.assess(&inventory).map_err(|error| UserError::usage(error.to_string()))?;

    tracing::info!(elapsed = ?started.elapsed(), "hosts assessed");
    let mut meta = ArtifactMeta::new("assessment", assessment::SCHEMA_VERSION, &global.operator);
    meta.inputs.push(inventory_digest);
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
    artifact::save(&settings.output, &artifact)?;
    tracing::info!(elapsed = ?started.elapsed(), "assessment written");

    show(&artifact, &settings, global, printer)?;
    Ok(exit_code::SUCCESS)
}

/// The parts of `inventory.json` that `assess` reads, with each host kept
/// as raw JSON so hosts can be parsed in parallel: a fleet's inventory runs
/// to hundreds of megabytes, and parsing it is most of the work.
#[derive(Debug, Deserialize)]
struct RawInventory<'a> {
    meta: ArtifactMeta,
    #[serde(borrow)]
    hosts: Vec<&'a RawValue>,
}

/// The inventory's hosts and the file's digest, computed while it parses.
fn load_inventory(path: &Path) -> anyhow::Result<(Vec<HostRecord>, InputDigest)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading `{}`", path.display()))?;
    let (digest, hosts) = rayon::join(|| artifact::sha256_hex(&bytes), || parse_inventory(path, &bytes));
    let digest = InputDigest { role: "inventory".into(), path: path.to_path_buf(), sha256: digest };
    Ok((hosts?, digest))
}

fn parse_inventory(path: &Path, bytes: &[u8]) -> anyhow::Result<Vec<HostRecord>> {
    let not_inventory = |error: serde_json::Error| {
        UserError::usage(format!("`{}` is not an inventory artifact: {error}", path.display()))
    };

    let raw: RawInventory<'_> = serde_json::from_slice(bytes).map_err(not_inventory)?;
    if raw.meta.kind != "inventory" || raw.meta.schema_version != inventory::SCHEMA_VERSION {
        return Err(UserError::usage(format!(
            "`{}` is an `{}` artifact of schema version {}, expected `inventory` version {}",
            path.display(),
            raw.meta.kind,
            raw.meta.schema_version,
            inventory::SCHEMA_VERSION
        ))
        .into());
    }
    let hosts: Result<Vec<HostRecord>, _> =
        raw.hosts.par_iter().map(|host| serde_json::from_str(host.get())).collect();
    Ok(hosts.map_err(not_inventory)?)
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
