//! `patchpilot inventory`: reach the selected hosts in parallel, gather
//! facts, and write `inventory.json`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use crate::artifact::inventory::{
    Facts, HostOutcome, HostRecord, InventoryArtifact, SCHEMA_VERSION,
};
use crate::artifact::{self, ArtifactMeta};
use crate::baseline::{self, Probe};
use crate::cli::InventoryArgs;
use crate::execute::fanout;
use crate::execute::gather::{self, GatherJob, GatherReport, Reach};
use crate::exit_code;
use crate::fleet::{Host, ProbeTarget, Transport};
use crate::output::{Format, Printer, Progress};
use crate::report::inventory_summary;
use crate::settings::{GlobalSettings, InventorySettings};

/// A host finishing, as a JSON Lines event on stderr under `--format json`.
#[derive(Debug, Serialize)]
struct HostEvent<'a> {
    event: &'static str,
    host: &'a str,
    #[serde(flatten)]
    outcome: &'a HostOutcome,
    duration_ms: u128,
}

pub fn run(
    args: &InventoryArgs,
    global: &GlobalSettings,
    printer: &Printer,
) -> anyhow::Result<i32> {
    let settings = InventorySettings::resolve(args, global)?;
    for warning in &settings.inventory_warnings {
        printer.warning(warning);
    }

    let previous = previous_facts(&settings, printer);
    let jobs = build_jobs(&settings, &previous)?;
    let endpoints: Vec<Option<Endpoint>> = jobs.iter().map(Endpoint::of).collect();
    for warning in settings.resolver.warnings.lock().map(|w| w.clone()).unwrap_or_default() {
        printer.warning(warning);
    }

    let started = Instant::now();
    printer.status(format!(
        "gathering facts from {} hosts, {} at a time",
        jobs.len(),
        settings.parallel
    ));
    let reports = gather_all(jobs, &settings, printer);
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "gathering finished");

    let artifact = build_artifact(&settings, reports, endpoints)?;
    artifact::save(&settings.output, &artifact, artifact::inventory::LAYOUT)?;

    match printer.format() {
        Format::Json => printer.json_in(&artifact, artifact::inventory::LAYOUT)?,
        Format::Human => {
            printer.data(inventory_summary::render(&artifact, printer.stdout_color()));
            printer.status(format!(
                "wrote `{}` ({} hosts) in {:.1}s",
                settings.output.display(),
                artifact.hosts.len(),
                started.elapsed().as_secs_f64()
            ));
        }
    }
    Ok(exit_code_for(&artifact.hosts))
}

fn build_jobs(
    settings: &InventorySettings,
    previous: &HashMap<String, Arc<Facts>>,
) -> anyhow::Result<Vec<GatherJob>> {
    settings
        .hosts
        .iter()
        .map(|host| {
            Ok(GatherJob {
                name: host.name.clone(),
                reach: reach(host, settings)?,
                become_root: settings.become_for(host),
                refresh: settings.refresh,
                watch: host.watch.clone(),
                probes: host.probes.iter().map(probe).collect(),
                previous: previous.get(&host.name).cloned(),
                command_timeout: settings.command_timeout,
                host_timeout: settings.host_timeout,
                max_output: settings.max_output,
            })
        })
        .collect()
}

/// Facts of the inventory already at the output path, by host name, for
/// the hosts that recorded a package state. Nothing with `--full` or
/// `--refresh` (the lists change anyway), when there is no such file, or
/// when another version of patchpilot wrote it (its parsers may differ).
fn previous_facts(settings: &InventorySettings, printer: &Printer) -> HashMap<String, Arc<Facts>> {
    if settings.full || settings.refresh {
        return HashMap::new();
    }
    match read_previous(&settings.output) {
        Ok(previous) => previous,
        Err(error) => {
            printer.warning(format!(
                "gathering every package list afresh: the previous inventory `{}` is unusable: {error:#}",
                settings.output.display()
            ));
            HashMap::new()
        }
    }
}

fn read_previous(path: &Path) -> anyhow::Result<HashMap<String, Arc<Facts>>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(error) => return Err(error).context("reading it"),
    };
    let artifact: InventoryArtifact =
        serde_json::from_slice(&bytes).context("it is not an inventory artifact")?;
    let current = ArtifactMeta::new("inventory", SCHEMA_VERSION, "");
    if artifact.meta.kind != current.kind || artifact.meta.tool != current.tool {
        return Ok(HashMap::new());
    }
    Ok(artifact
        .hosts
        .into_iter()
        .filter_map(|host| {
            let facts = host.facts.filter(|facts| facts.package_state.is_some())?;
            Some((host.name, Arc::new(facts)))
        })
        .collect())
}

fn reach(host: &Host, settings: &InventorySettings) -> anyhow::Result<Reach> {
    match host.connection.transport {
        Transport::Local => Ok(Reach::Local),
        Transport::Ssh => Ok(Reach::Ssh(Box::new(settings.resolver.ssh_target(host)?))),
        Transport::Winrm => Ok(Reach::Unsupported(
            // LIMITATION: WinRM is parsed from inventories but has no transport
            // yet; a WinRM client behind the same Session trait would lift it.
            "the WinRM transport is not built yet".to_string(),
        )),
    }
}

fn probe(spec: &crate::fleet::ProbeSpec) -> Probe {
    match &spec.target {
        ProbeTarget::Tcp(address) => {
            Probe::Tcp { name: spec.name.clone(), address: address.clone() }
        }
        ProbeTarget::Http(url) => Probe::Http { name: spec.name.clone(), url: url.clone() },
    }
}

/// Fans out, drawing progress or emitting events as each host finishes.
fn gather_all(
    jobs: Vec<GatherJob>,
    settings: &InventorySettings,
    printer: &Printer,
) -> Vec<GatherReport> {
    let progress = Progress::new(printer.wants_progress(), jobs.len() as u64, "hosts");
    let reports = fanout::run(
        jobs,
        settings.parallel,
        |job| gather::gather(&job),
        |report| {
            progress.advance(&report.name);
            if printer.format() == Format::Json {
                printer.event(&HostEvent {
                    event: "host",
                    host: &report.name,
                    outcome: &report.outcome,
                    duration_ms: report.duration.as_millis(),
                });
            } else if !report.outcome.is_ok() {
                printer.warning(format!(
                    "`{}`: {}",
                    report.name,
                    report.outcome.message().unwrap_or("ok")
                ));
            }
        },
    );
    progress.finish();
    reports
}

/// Where an SSH host was actually reached, after `~/.ssh/config` had its
/// say; resolved once, when the jobs are built.
#[derive(Debug)]
struct Endpoint {
    address: String,
    port: u16,
    user: String,
}

impl Endpoint {
    fn of(job: &GatherJob) -> Option<Endpoint> {
        match &job.reach {
            Reach::Ssh(target) => Some(Endpoint {
                address: target.address.clone(),
                port: target.port,
                user: target.user.clone(),
            }),
            Reach::Local | Reach::Unsupported(_) => None,
        }
    }
}

fn build_artifact(
    settings: &InventorySettings,
    reports: Vec<GatherReport>,
    endpoints: Vec<Option<Endpoint>>,
) -> anyhow::Result<InventoryArtifact> {
    let mut meta = ArtifactMeta::new("inventory", SCHEMA_VERSION, &settings.operator);
    if let Some(path) = &settings.inventory_path {
        meta.record_input("inventory-file", path)?;
    }
    if let Some(cmdb) = &settings.cmdb {
        meta.record_input("cmdb", cmdb.path())?;
    }

    let hosts: Vec<HostRecord> = settings
        .hosts
        .iter()
        .zip(&settings.tiers)
        .zip(reports)
        .zip(endpoints)
        .map(|(((host, tier), report), endpoint)| {
            record(settings, host, tier.clone(), report, endpoint)
        })
        .collect::<anyhow::Result<_>>()?;

    let cmdb = settings
        .cmdb
        .as_ref()
        .map(|cmdb| crate::fleet::cmdb::reconcile(cmdb, &hosts, &settings.not_selected));

    Ok(InventoryArtifact {
        meta,
        eol_source: Some(settings.eol_table.source().clone()),
        hosts,
        cmdb,
    })
}

fn record(
    settings: &InventorySettings,
    host: &Host,
    tier: crate::artifact::inventory::TierAssignment,
    report: GatherReport,
    endpoint: Option<Endpoint>,
) -> anyhow::Result<HostRecord> {
    let mut record = host.to_record(tier, report.outcome);
    if let Some(endpoint) = endpoint {
        record.address = endpoint.address;
        record.port = endpoint.port;
        record.user = endpoint.user;
    }
    record.duration_ms = u64::try_from(report.duration.as_millis()).context("duration")?;
    record.eol = report.facts.as_ref().and_then(|facts| {
        settings.eol_table.status(&facts.os, settings.today, &settings.eol_policy)
    });
    record.baseline =
        report.facts.is_some().then(|| baseline::record(report.facts.as_ref(), report.probes));
    record.facts = report.facts;
    record.watched_files = report.watched_files;
    Ok(record)
}

/// The most severe outcome decides: host keys, then authentication, then
/// reachability, then failures on reached hosts.
pub fn exit_code_for(hosts: &[HostRecord]) -> i32 {
    let severity = |outcome: &HostOutcome| match outcome {
        HostOutcome::Ok => (0, exit_code::SUCCESS),
        HostOutcome::Failed { .. } => (1, exit_code::HOST_FAILED),
        HostOutcome::Refused { .. }
        | HostOutcome::Unreachable { .. }
        | HostOutcome::TimedOut { .. } => (2, exit_code::UNREACHABLE),
        HostOutcome::AuthenticationFailed { .. } => (3, exit_code::AUTHENTICATION_FAILED),
        HostOutcome::HostKeyMismatch { .. } | HostOutcome::HostKeyUnknown { .. } => {
            (4, exit_code::HOST_KEY_MISMATCH)
        }
    };
    hosts
        .iter()
        .map(|host| severity(&host.outcome))
        .max()
        .map_or(exit_code::SUCCESS, |(_, code)| code)
}
