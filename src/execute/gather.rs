//! Gathering one host's facts: connect, one round trip for the facts and
//! the digests of watched files, then the controller-side probes.
//!
//! This is the per-host unit of work that `inventory` fans out; later steps
//! (validate's rescan) reuse it.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::artifact::inventory::{Facts, HostOutcome, ProbeResult, WatchedFile};
use crate::baseline::{self, Probe};
use crate::transport::{
    Become, LocalSession, RemoteCommand, Session, SshSession, SshTarget, TransportError, quote,
};

/// How to reach a host.
#[derive(Debug, Clone)]
pub enum Reach {
    Ssh(Box<SshTarget>),
    Local,
    /// A transport patchpilot cannot use yet; the reason is recorded.
    Unsupported(String),
}

/// Everything one host's gathering needs.
#[derive(Debug, Clone)]
pub struct GatherJob {
    pub name: String,
    pub reach: Reach,
    pub become_root: Option<Become>,
    /// Refresh package lists (`apt-get update`) before reading pending updates.
    pub refresh: bool,
    pub watch: Vec<String>,
    pub probes: Vec<Probe>,
    /// This host's facts from the previous inventory, when they carry a
    /// package state the host can compare with its own.
    pub previous: Option<Arc<Facts>>,
    pub command_timeout: Duration,
    pub host_timeout: Duration,
    pub max_output: usize,
}

/// What gathering learned, or why it could not.
#[derive(Debug, Clone)]
pub struct GatherReport {
    pub name: String,
    pub outcome: HostOutcome,
    pub facts: Option<Facts>,
    pub watched_files: Vec<WatchedFile>,
    pub probes: Vec<ProbeResult>,
    /// Remote output was cut at `max_output`.
    pub truncated: bool,
    pub duration: Duration,
}

/// Runs one job to completion; never panics on a host's behaviour.
pub fn gather(job: &GatherJob) -> GatherReport {
    let started = Instant::now();
    let deadline = started + job.host_timeout;
    let mut report = GatherReport {
        name: job.name.clone(),
        outcome: HostOutcome::Ok,
        facts: None,
        watched_files: Vec::new(),
        probes: Vec::new(),
        truncated: false,
        duration: Duration::ZERO,
    };

    match gather_remote(job, deadline, &mut report) {
        Ok(()) => {}
        Err(error) => {
            tracing::debug!(host = %job.name, %error, "gathering failed");
            report.outcome = error.outcome();
        }
    }

    // A baseline is recorded only for a host that answered; probing a dead
    // one would only add its time-outs to the run.
    if report.outcome.is_ok() {
        let probe_timeout = job.command_timeout.min(Duration::from_secs(10));
        report.probes =
            job.probes.iter().map(|probe| baseline::run(probe, probe_timeout)).collect();
    }
    report.duration = started.elapsed();
    report
}

fn gather_remote(
    job: &GatherJob,
    deadline: Instant,
    report: &mut GatherReport,
) -> Result<(), TransportError> {
    let mut session: Box<dyn Session> = match &job.reach {
        Reach::Ssh(target) => Box::new(SshSession::connect(target, deadline)?),
        Reach::Local => Box::new(LocalSession),
        Reach::Unsupported(reason) => {
            report.outcome = HostOutcome::Failed { message: reason.clone() };
            return Ok(());
        }
    };

    let previous = job.previous.as_deref();
    let previous_state = previous.and_then(|facts| facts.package_state.as_deref());
    let facts_command = command(job, facts_script(job.refresh, &job.watch, previous_state));
    let output = session.run(&facts_command, deadline)?;
    report.truncated |= output.is_truncated();
    match crate::facts::linux::parse_with_previous(&output.stdout, &output.stderr, previous) {
        Ok(facts) => report.facts = Some(facts),
        Err(error) => {
            report.outcome = HostOutcome::Failed {
                message: format!(
                    "facts unreadable ({error}); exit status {}, stderr: {}",
                    output.exit_status,
                    stderr_without_markers(&output.stderr)
                ),
            };
            return Ok(());
        }
    }
    if !job.watch.is_empty() {
        let digests = crate::facts::linux::section_text(&output.stdout, WATCH_SECTION);
        report.watched_files = parse_watch_output(&job.watch, &digests);
    }
    Ok(())
}

/// The script's stderr as an operator reads it: its step markers dropped.
fn stderr_without_markers(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|line| !line.starts_with("@@pp:"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn command(job: &GatherJob, script: String) -> RemoteCommand {
    let mut command = RemoteCommand::new(script, job.command_timeout, job.max_output);
    command.become_root.clone_from(&job.become_root);
    command
}

/// The section of the gather output that carries the watched files' digests.
const WATCH_SECTION: &str = "watched-files";

/// The gather script, preceded by what this job adds to it: the refresh
/// switch, the previous package state to compare with, and the
/// `pp_watched` step that digests the watched files in the same round trip.
fn facts_script(refresh: bool, watch: &[String], previous_state: Option<&str>) -> String {
    let mut script = String::new();
    if refresh {
        script.push_str("PP_REFRESH=1; export PP_REFRESH\n");
    }
    if let Some(state) = previous_state {
        let _ = writeln!(script, "PP_PACKAGE_STATE={}", quote::quote_str(state));
    }
    if !watch.is_empty() {
        script.push_str(&watch_function(watch));
    }
    script.push_str(crate::facts::linux::GATHER_SCRIPT);
    script
}

/// `sha256sum` of each watched path that is a regular file. Anything else
/// (a FIFO, a device, a directory) is never opened, so it cannot hold the
/// gather up; a missing file prints nothing for itself. Run without
/// `timeout`, which would cost a process on every host: a file on a hung
/// mount stops the whole gather at the command time-out instead.
fn watch_function(paths: &[String]) -> String {
    let quoted: Vec<String> = paths.iter().map(|path| quote::quote_str(path)).collect();
    format!(
        "pp_watched() {{\n\tset --\n\tfor pp_f in {}; do\n\t\t[ -f \"$pp_f\" ] && set -- \"$@\" \"$pp_f\"\n\tdone\n\t[ $# -eq 0 ] || sha256sum -- \"$@\" 2>/dev/null\n}}\n",
        quoted.join(" ")
    )
}

fn parse_watch_output(paths: &[String], text: &str) -> Vec<WatchedFile> {
    paths
        .iter()
        .map(|path| WatchedFile {
            path: path.clone(),
            sha256: text.lines().find_map(|line| {
                let (digest, name) = line.split_once("  ")?;
                (name == path).then(|| digest.to_string())
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watched_file_digests_match_paths_and_missing_ones_are_none() {
        let output = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /etc/a b\n";
        let files = parse_watch_output(&["/etc/a b".into(), "/etc/missing".into()], output);
        assert_eq!(files[0].sha256.as_deref().map(str::len), Some(64));
        assert_eq!(files[1].sha256, None);
    }

    #[test]
    fn watched_paths_are_quoted_into_the_script() {
        let script = facts_script(false, &["/etc/x; rm -rf /".into(), "/etc/$(id)".into()], None);
        assert!(script.starts_with(
            "pp_watched() {\n\tset --\n\tfor pp_f in '/etc/x; rm -rf /' '/etc/$(id)'; do\n"
        ));
        assert!(script.ends_with(crate::facts::linux::GATHER_SCRIPT));
        assert!(!facts_script(true, &[], None).contains("pp_watched() {"));
    }

    #[test]
    fn the_previous_package_state_travels_quoted() {
        let state = "/var/lib/dpkg/status 12 345 2026-12-03 20:10:00.1 +0000\n/x'; reboot; '";
        let script = facts_script(false, &[], Some(state));
        let expected = format!("PP_PACKAGE_STATE={}\n", quote::quote_str(state));
        assert!(script.starts_with(&expected), "{script}");
    }
}

#[cfg(test)]
mod local_tests {
    use super::*;

    /// The controller itself, through the local transport: the facts must be
    /// what the machine says about itself.
    #[test]
    fn gathers_the_controller_through_the_local_transport() {
        let job = GatherJob {
            name: "localhost".into(),
            reach: Reach::Local,
            become_root: None,
            refresh: false,
            watch: vec!["/etc/os-release".into(), "/nonexistent".into()],
            probes: Vec::new(),
            previous: None,
            command_timeout: Duration::from_secs(60),
            host_timeout: Duration::from_secs(120),
            max_output: 16 << 20,
        };
        let report = gather(&job);
        assert!(report.outcome.is_ok(), "{:?}", report.outcome);
        let facts = report.facts.expect("facts");
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        assert_eq!(facts.hostname, hostname.trim());
        assert!(!facts.packages.is_empty());
        assert!(report.watched_files[0].sha256.is_some());
        assert!(report.watched_files[1].sha256.is_none());
    }
}
