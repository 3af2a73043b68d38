//! `patchpilot assess`: inventory + feeds + policy -> `assessment.json`.
//!
//! Orchestration only: resolve settings, load the policy, the inventory and
//! every feed, apply the gates (`--strict`, `--max-age`), hand the work to
//! [`crate::advisory`] and [`crate::risk`], write the artifact atomically and
//! show the result.

mod render;
mod settings;

use std::sync::{OnceLock, mpsc};

use anyhow::Context;

use crate::advisory::feed::{self, FeedError, check_age};
use crate::advisory::index::AdvisoryIndex;
use crate::advisory::{Advisory, epss, kev};
use crate::artifact::assessment::{
    self, AssessmentArtifact, FeedSource, PolicySummary, SkippedRecord,
};
use crate::artifact::inventory;
use crate::artifact::{self, ArtifactMeta, InputDigest};
use crate::exit_code;
use crate::output::{Format, Printer, UserError};
use crate::risk::assessment::{Assessor, Intel, Previous, summarize};
use crate::risk::host::stream_hosts;
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
    let (policy, classifier) = load_policy(&settings)?;
    let previous = match &settings.previous {
        Some(path) => Previous::from_artifact(&AssessmentArtifact::load(path)?),
        None => Previous::default(),
    };

    let started = std::time::Instant::now();
    let path = &settings.inventory;
    let inventory_file =
        std::fs::File::open(path).with_context(|| format!("reading `{}`", path.display()))?;
    let inventory_bytes = OnceLock::new();
    let (feeds, hosts, inventory_digest) = std::thread::scope(|scope| {
        // The inventory (hundreds of megabytes for a fleet) is read and
        // parsed on a thread of its own while the feeds load, and hashed on
        // a third; the parsed hosts queue until the advisory index is
        // built, then rayon's workers assess them while parsing goes on.
        let (hosts_to_assess, parsed_hosts) = mpsc::channel();
        let (bytes_to_hash, bytes_for_digest) = mpsc::sync_channel(1);
        let inventory_bytes = &inventory_bytes;
        let parser = scope.spawn(move || {
            let bytes = inventory_bytes.get_or_init(|| read_whole(inventory_file));
            let bytes = bytes.as_ref().map_err(|error| anyhow::anyhow!("reading it: {error}"))?;
            tracing::info!(elapsed = ?started.elapsed(), "inventory read");
            let _ = bytes_to_hash.send(bytes.as_slice());
            stream_hosts(bytes, &check_inventory_meta, &mut |host| {
                let _ = hosts_to_assess.send(host);
            })
            .map(|_| tracing::info!(elapsed = ?started.elapsed(), "inventory parsed"))
            .map_err(anyhow::Error::from)
        });
        let hasher = scope.spawn(move || {
            let digest = bytes_for_digest.recv().ok().map(artifact::sha256_hex);
            tracing::debug!(elapsed = ?started.elapsed(), "inventory hashed");
            digest
        });

        let feeds = load_feeds(&settings, printer)?;
        tracing::info!(advisories = feeds.advisories.len(), elapsed = ?started.elapsed(), "feeds read");
        apply_gates(&settings, &feeds, printer)?;
        let index = AdvisoryIndex::new(feeds.advisories);
        let assessor = Assessor::new(
            &index,
            &feeds.intel,
            &policy.policy,
            &classifier,
            &previous,
            settings.today,
        );
        report_cvss_errors(&assessor.cvss_errors, settings.strict, printer)?;
        let hosts = assessor.assess_stream(|each| {
            parsed_hosts.into_iter().for_each(each);
            Ok::<(), std::convert::Infallible>(())
        });

        let inventory_error = |error: &dyn std::fmt::Display| {
            UserError::usage(format!("`{}` is not a usable inventory: {error}", path.display()))
        };
        let parsed = parser.join().unwrap_or_else(|_| Err(anyhow::anyhow!("the parser panicked")));
        parsed.map_err(|error| inventory_error(&error))?;
        let hosts = match hosts {
            Ok(assessed) => assessed.map_err(|error| UserError::usage(error.to_string()))?,
            Err(never) => match never {},
        };
        let digest = hasher.join().ok().flatten().context("the inventory was not hashed")?;
        std::mem::forget(index);
        let feeds = Feeds { advisories: Vec::new(), ..feeds };
        anyhow::Ok((feeds, hosts, digest))
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

/// Reads a whole file, sized from its metadata so the buffer is allocated once.
fn read_whole(mut file: std::fs::File) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let size = file.metadata().map_or(0, |metadata| metadata.len());
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
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

/// Refuses anything but an inventory of the schema version this build reads.
fn check_inventory_meta(meta: &ArtifactMeta) -> Result<(), String> {
    if meta.kind == "inventory" && meta.schema_version == inventory::SCHEMA_VERSION {
        return Ok(());
    }
    Err(format!(
        "it is an `{}` artifact of schema version {}, expected `inventory` version {}",
        meta.kind,
        meta.schema_version,
        inventory::SCHEMA_VERSION
    ))
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
