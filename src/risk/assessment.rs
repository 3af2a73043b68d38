//! Putting it together: from an inventory host and the indexed advisories to
//! that host's findings, each classified and given a deadline.
//!
//! What does not depend on the host (an advisory's CVSS, KEV and EPSS) is
//! worked out once per advisory, in parallel; hosts are then assessed in
//! parallel on rayon's global pool. Results keep the inventory's host order
//! and a fixed finding order, so the same inputs give the same artifact.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use jiff::civil::Date;
use rayon::prelude::*;

use super::FindingFacts;
use super::cvss::{best_score, rating, vendor_rating};
use super::host::{HostView, PackageView};
use super::policy::RiskPolicy;
use super::rules::{Classifier, ClassifyError};
use super::sla::{DeadlineInput, deadline};
use crate::advisory::Advisory;
use crate::advisory::epss::EpssScores;
use crate::advisory::index::{AdvisoryIndex, MatchCache, PackageMatch};
use crate::advisory::kev::KevCatalog;
use crate::artifact::assessment::{
    AssessmentArtifact, AssessmentSummary, CveSummary, CvssScore, EpssScore, Finding, FindingKind,
    HostAssessment, HostStatus, KevStatus, ResolvedFinding, Severity, Urgency,
};
use crate::artifact::inventory::{EolStatus, HostRecord};

/// A poisoned lock only means a worker panicked, and rayon re-raises that
/// panic when the scope ends; the data behind it is still whole.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Threat intelligence: KEV and EPSS, either possibly empty.
#[derive(Debug, Default)]
pub struct Intel {
    pub kev: KevCatalog,
    pub epss: EpssScores,
}

/// What the previous assessment knew: first-seen dates by finding key, and
/// each host's findings, to tell which are gone.
#[derive(Debug, Default)]
pub struct Previous {
    first_seen: HashMap<String, Date>,
    by_host: HashMap<String, Vec<Finding>>,
}

impl Previous {
    pub fn from_artifact(artifact: &AssessmentArtifact) -> Self {
        let mut previous = Previous::default();
        for host in &artifact.hosts {
            for finding in &host.findings {
                if let Ok(date) = finding.first_seen.parse::<Date>() {
                    previous.first_seen.insert(finding.key.clone(), date);
                }
            }
            previous.by_host.insert(host.name.clone(), host.findings.clone());
        }
        previous
    }

    /// A host that could not be reached keeps its previous findings (with
    /// `overdue` brought up to date), so its SLA clocks survive the gap.
    fn carried_over(&self, host: &str, today: Date) -> Vec<Finding> {
        let mut findings = self.by_host.get(host).cloned().unwrap_or_default();
        for finding in &mut findings {
            finding.overdue = finding.deadline.parse::<Date>().is_ok_and(|due| today > due);
        }
        findings
    }
}

/// Everything the host-independent part of a finding needs, per advisory.
#[derive(Debug, Clone)]
struct AdvisoryIntel {
    cvss: Option<CvssScore>,
    severity: Severity,
    kev: Option<KevStatus>,
    epss: Option<EpssScore>,
}

/// A finding before policy has looked at it.
#[derive(Debug)]
struct Draft<'a> {
    kind: FindingKind,
    advisory: String,
    source: &'static str,
    summary: Option<String>,
    cves: &'a [String],
    package: String,
    source_package: Option<String>,
    installed_version: Option<String>,
    fixed_version: Option<String>,
    vendor_severity: Option<String>,
    intel: AdvisoryIntel,
}

/// Assesses hosts against indexed advisories under a policy.
#[derive(Debug)]
pub struct Assessor<'a> {
    index: &'a AdvisoryIndex,
    policy: &'a RiskPolicy,
    classifier: &'a Classifier,
    previous: &'a Previous,
    today: Date,
    advisory_intel: Vec<AdvisoryIntel>,
    /// CVSS vectors that did not parse, once per advisory, for warnings.
    pub cvss_errors: Vec<String>,
}

impl<'a> Assessor<'a> {
    pub fn new(
        index: &'a AdvisoryIndex,
        intel: &Intel,
        policy: &'a RiskPolicy,
        classifier: &'a Classifier,
        previous: &'a Previous,
        today: Date,
    ) -> Self {
        let computed: Vec<(AdvisoryIntel, Vec<String>)> =
            index.advisories().par_iter().map(|advisory| advisory_intel(advisory, intel)).collect();
        let mut cvss_errors = Vec::new();
        let mut advisory_intel = Vec::with_capacity(computed.len());
        for (intel, errors) in computed {
            advisory_intel.push(intel);
            cvss_errors.extend(errors);
        }
        Assessor { index, policy, classifier, previous, today, advisory_intel, cvss_errors }
    }

    /// Every host, in inventory order.
    pub fn assess(&self, hosts: &[HostRecord]) -> Result<Vec<HostAssessment>, ClassifyError> {
        self.assess_stream(hosts.iter().map(HostView::from_record))
    }

    /// Assesses hosts as `hosts` yields them, in the order yielded. The
    /// iterator is drained on one thread (typically while the inventory is
    /// still being parsed) while rayon's workers assess the hosts already
    /// handed over; verdict caches are pooled so each worker keeps reusing
    /// one.
    pub fn assess_stream<'h>(
        &self,
        hosts: impl IntoIterator<Item = HostView<'h>> + Send,
    ) -> Result<Vec<HostAssessment>, ClassifyError> {
        let results = Mutex::new(Vec::new());
        let caches: Mutex<Vec<MatchCache<'a>>> = Mutex::new(Vec::new());

        rayon::scope(|scope| {
            for (number, host) in hosts.into_iter().enumerate() {
                let (results, caches) = (&results, &caches);
                scope.spawn(move |_| {
                    let mut cache = lock(caches).pop().unwrap_or_default();
                    let outcome = self.assess_host(&host, &mut cache);
                    lock(caches).push(cache);
                    lock(results).push((number, outcome));
                });
            }
        });

        let mut results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
        results.sort_unstable_by_key(|(number, _)| *number);
        results.into_iter().map(|(_, outcome)| outcome).collect()
    }

    fn assess_host(
        &self,
        host: &HostView<'_>,
        cache: &mut MatchCache<'a>,
    ) -> Result<HostAssessment, ClassifyError> {
        let mut assessment = HostAssessment {
            name: host.name.clone(),
            environment: host.environment.clone(),
            cluster: host.cluster.clone(),
            groups: host.groups.clone(),
            tier: host.tier.tier.clone(),
            tags: host.tags.clone(),
            os: String::new(),
            status: HostStatus::Assessed,
            coverage: Vec::new(),
            findings: Vec::new(),
            resolved: Vec::new(),
        };
        let Some(facts) = &host.facts else {
            assessment.status = HostStatus::NotReached { reason: outcome_reason(host) };
            assessment.findings = self.previous.carried_over(&host.name, self.today);
            return Ok(assessment);
        };
        assessment.os = format!("{} {}", facts.os.id, facts.os.version_id).trim().to_string();

        let matches = self.index.match_host_cached(&facts.os, &facts.packages, cache);
        for error in &matches.unparsable {
            tracing::warn!(host = %host.name, "installed version skipped: {error}");
        }
        assessment.coverage = matches.coverage.iter().map(ToString::to_string).collect();
        if matches.coverage.is_empty() {
            assessment.status = HostStatus::NoAdvisoryData;
        }

        let mut drafts: Vec<Draft<'_>> =
            matches.matches.iter().map(|found| self.draft(found, &facts.packages)).collect();
        drafts.extend(pending_drafts(&facts.pending_updates, &drafts));
        drafts.extend(host.eol.as_ref().and_then(eol_draft));

        let updates: HashMap<&str, &str> = facts
            .pending_updates
            .iter()
            .map(|update| (update.name.as_str(), update.candidate_version.as_str()))
            .collect();
        for draft in drafts {
            let available = updates.get(draft.package.as_str()).map(|c| (*c).to_string());
            assessment.findings.push(self.finish(host, draft, available)?);
        }
        assessment.findings.sort_by(finding_order);
        assessment.resolved = self.resolved(host, &assessment);
        Ok(assessment)
    }

    fn draft(&self, found: &PackageMatch<'a>, packages: &[PackageView<'_>]) -> Draft<'a> {
        let advisory = &self.index.advisories()[found.advisory];
        let package = &packages[found.package];
        let source_package =
            (found.affected.package != package.name).then(|| found.affected.package.clone());
        Draft {
            kind: FindingKind::VulnerablePackage,
            advisory: advisory.id.clone(),
            source: advisory.source,
            summary: advisory.summary.clone(),
            cves: &advisory.cves,
            package: package.name.to_string(),
            source_package,
            installed_version: Some(package.version.to_string()),
            fixed_version: found.fixed.map(ToString::to_string),
            vendor_severity: advisory.vendor_severity.clone(),
            intel: self.advisory_intel[found.advisory].clone(),
        }
    }

    /// Classifies a draft and gives it its deadline.
    fn finish(
        &self,
        host: &HostView<'_>,
        draft: Draft<'_>,
        available_update: Option<String>,
    ) -> Result<Finding, ClassifyError> {
        let facts = FindingFacts {
            kind: draft.kind,
            severity: draft.intel.severity,
            cvss: draft.intel.cvss.as_ref().map(|cvss| cvss.base_score),
            kev: draft.intel.kev.as_ref(),
            epss: draft.intel.epss.as_ref(),
            tags: &host.tags,
            tier: &host.tier.tier,
            environment: host.environment.as_deref(),
            fix_available: draft.fixed_version.is_some() || available_update.is_some(),
            package: &draft.package,
            advisory: &draft.advisory,
            cves: draft.cves,
        };
        let (urgency, reason) = self.classifier.classify(&facts)?;

        let key = format!("{}|{}|{}", host.name, draft.advisory, draft.package);
        let first_seen = self.previous.first_seen.get(&key).copied().unwrap_or(self.today);
        let kev_due = draft.intel.kev.as_ref().and_then(|kev| kev.due_date.parse().ok());
        let sla = deadline(
            self.policy,
            &DeadlineInput {
                tier: &host.tier.tier,
                tags: &host.tags,
                severity: draft.intel.severity,
                urgency,
                kev_due,
                first_seen,
                today: self.today,
            },
        );

        Ok(Finding {
            key,
            kind: draft.kind,
            advisory: draft.advisory,
            source: draft.source.to_string(),
            summary: draft.summary,
            cves: draft.cves.to_vec(),
            package: draft.package,
            source_package: draft.source_package,
            installed_version: draft.installed_version,
            fixed_version: draft.fixed_version,
            available_update,
            severity: draft.intel.severity,
            cvss: draft.intel.cvss,
            vendor_severity: draft.vendor_severity,
            kev: draft.intel.kev,
            epss: draft.intel.epss,
            exposure: host.tags.clone(),
            tier: host.tier.tier.clone(),
            urgency,
            reason,
            first_seen: first_seen.to_string(),
            sla_days: sla.sla_days,
            deadline: sla.deadline.to_string(),
            deadline_reason: sla.reason,
            overdue: sla.overdue,
        })
    }

    /// Findings of the previous run on this host that are gone now. A host
    /// that could not be assessed this time resolves nothing.
    fn resolved(&self, host: &HostView<'_>, assessment: &HostAssessment) -> Vec<ResolvedFinding> {
        if assessment.status != HostStatus::Assessed {
            return Vec::new();
        }
        let Some(previous) = self.previous.by_host.get(&host.name) else {
            return Vec::new();
        };
        let current: HashSet<&str> = assessment.findings.iter().map(|f| f.key.as_str()).collect();
        previous
            .iter()
            .filter(|finding| !current.contains(finding.key.as_str()))
            .map(|finding| ResolvedFinding {
                key: finding.key.clone(),
                advisory: finding.advisory.clone(),
                package: finding.package.clone(),
                first_seen: finding.first_seen.clone(),
                resolved_on: self.today.to_string(),
            })
            .collect()
    }
}

fn advisory_intel(advisory: &Advisory, intel: &Intel) -> (AdvisoryIntel, Vec<String>) {
    let (cvss, errors) = best_score(&advisory.cvss_vectors);
    let errors = errors.into_iter().map(|error| format!("{}: {error}", advisory.id)).collect();

    let severity = match (&cvss, &advisory.vendor_severity) {
        (Some(cvss), _) => rating(cvss.base_score),
        (None, Some(vendor)) => vendor_rating(vendor),
        (None, None) => Severity::Unknown,
    };

    let kev = advisory
        .cves
        .iter()
        .filter_map(|cve| intel.kev.entries.get(cve))
        .min_by_key(|entry| entry.due_date)
        .map(|entry| KevStatus {
            cve: entry.cve.clone(),
            date_added: entry.date_added.to_string(),
            due_date: entry.due_date.to_string(),
            known_ransomware_use: entry.known_ransomware_use,
        });
    let epss = advisory
        .cves
        .iter()
        .filter_map(|cve| intel.epss.entries.get(cve).map(|entry| (cve, entry)))
        .max_by(|a, b| a.1.score.total_cmp(&b.1.score))
        .map(|(cve, entry)| EpssScore {
            cve: cve.clone(),
            score: entry.score,
            percentile: entry.percentile,
        });
    (AdvisoryIntel { cvss, severity, kev, epss }, errors)
}

/// Security updates the host's package manager offers for packages no
/// advisory finding covers.
fn pending_drafts<'a>(
    updates: &[crate::artifact::inventory::PendingUpdate],
    drafts: &[Draft<'a>],
) -> Vec<Draft<'a>> {
    let covered: HashSet<&str> = drafts.iter().map(|draft| draft.package.as_str()).collect();
    updates
        .iter()
        .filter(|update| update.security == Some(true) && !covered.contains(update.name.as_str()))
        .map(|update| Draft {
            kind: FindingKind::PendingSecurityUpdate,
            advisory: "pending-update".into(),
            source: "inventory",
            summary: Some(format!(
                "security update to {} offered{}",
                update.candidate_version,
                update.origin.as_ref().map(|o| format!(" by `{o}`")).unwrap_or_default()
            )),
            cves: &[],
            package: update.name.clone(),
            source_package: None,
            installed_version: update.installed_version.clone(),
            fixed_version: Some(update.candidate_version.clone()),
            vendor_severity: None,
            intel: AdvisoryIntel { cvss: None, severity: Severity::Unknown, kev: None, epss: None },
        })
        .collect()
}

/// An unsupported OS is a high-severity finding; one nearing end of life a
/// low one, so the default policy defers it.
fn eol_draft<'a>(eol: &EolStatus) -> Option<Draft<'a>> {
    let (severity, summary) = match eol.state.as_str() {
        "unsupported" => (
            Severity::High,
            format!(
                "unsupported OS: {} {} reached end of life{}; \
                 needs an exception or a migration plan",
                eol.product,
                eol.cycle,
                eol.eol_date.as_ref().map(|date| format!(" on {date}")).unwrap_or_default()
            ),
        ),
        "approaching" => (
            Severity::Low,
            format!(
                "{} {} reaches end of life{}; plan the migration",
                eol.product,
                eol.cycle,
                eol.eol_date.as_ref().map(|date| format!(" on {date}")).unwrap_or_default()
            ),
        ),
        _ => return None,
    };
    Some(Draft {
        kind: FindingKind::UnsupportedOs,
        advisory: "unsupported-os".into(),
        source: "inventory",
        summary: Some(summary),
        cves: &[],
        package: format!("{} {}", eol.product, eol.cycle),
        source_package: None,
        installed_version: None,
        fixed_version: None,
        vendor_severity: None,
        intel: AdvisoryIntel { cvss: None, severity, kev: None, epss: None },
    })
}

fn outcome_reason(host: &HostView<'_>) -> String {
    format!("{}: {}", host.outcome.status(), host.outcome.message().unwrap_or("no facts"))
}

/// Most urgent first, then overdue, severity, advisory and package.
fn finding_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (a.urgency, !a.overdue, a.severity, &a.advisory, &a.package).cmp(&(
        b.urgency,
        !b.overdue,
        b.severity,
        &b.advisory,
        &b.package,
    ))
}

/// Fleet-wide counts and the CVEs that touch the most hosts.
pub fn summarize(hosts: &[HostAssessment], top: usize) -> AssessmentSummary {
    let mut summary = AssessmentSummary { hosts: hosts.len(), ..AssessmentSummary::default() };
    // Hosts are walked one at a time, so remembering the last host that
    // counted for a CVE is enough to count each host once.
    let mut cves: HashMap<&str, (usize, CveSummary)> = HashMap::new();

    for (host_index, host) in hosts.iter().enumerate() {
        summary.hosts_assessed += usize::from(host.status == HostStatus::Assessed);
        summary.hosts_with_findings += usize::from(!host.findings.is_empty());
        summary.resolved += host.resolved.len();
        for finding in &host.findings {
            count_finding(&mut summary, finding);
            for cve in &finding.cves {
                let (last_host, entry) =
                    cves.entry(cve).or_insert_with(|| (usize::MAX, empty_cve_summary(cve)));
                if *last_host != host_index {
                    *last_host = host_index;
                    entry.hosts += 1;
                }
                merge_cve_evidence(entry, finding);
            }
        }
    }

    let mut top_cves: Vec<CveSummary> = cves.into_values().map(|(_, summary)| summary).collect();
    top_cves.sort_by(|a, b| {
        (b.hosts, b.kev).cmp(&(a.hosts, a.kev)).then_with(|| {
            b.max_cvss.unwrap_or(0.0).total_cmp(&a.max_cvss.unwrap_or(0.0)).then(a.cve.cmp(&b.cve))
        })
    });
    top_cves.truncate(top);
    summary.top_cves = top_cves;
    summary
}

fn empty_cve_summary(cve: &str) -> CveSummary {
    CveSummary { cve: cve.to_string(), hosts: 0, kev: false, epss: None, max_cvss: None }
}

/// Folds one finding's KEV, EPSS and CVSS evidence into its CVE's summary.
fn merge_cve_evidence(entry: &mut CveSummary, finding: &Finding) {
    let cve = entry.cve.as_str();
    entry.kev |= finding.kev.as_ref().is_some_and(|kev| kev.cve == cve);
    entry.epss = entry.epss.or(finding.epss.as_ref().filter(|e| e.cve == cve).map(|e| e.score));
    let score = finding.cvss.as_ref().map(|cvss| cvss.base_score);
    entry.max_cvss = match (entry.max_cvss, score) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
}

fn count_finding(summary: &mut AssessmentSummary, finding: &Finding) {
    summary.findings += 1;
    match finding.urgency {
        Urgency::Emergency => summary.emergency += 1,
        Urgency::Scheduled => summary.scheduled += 1,
        Urgency::Deferrable => summary.deferrable += 1,
    }
    summary.kev_findings += usize::from(finding.kev.is_some());
    summary.overdue += usize::from(finding.overdue);
}
