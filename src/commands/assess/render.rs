//! How an assessment is shown: summary tables for people, the summary as
//! JSON, or one CSV row per finding for spreadsheets.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment, Table, presets};

use crate::artifact::assessment::{AssessmentArtifact, HostAssessment, HostStatus, Urgency};

/// Hosts shown in the table; the artifact has all of them.
const MAX_HOST_ROWS: usize = 50;

/// The three summary tables and a closing line.
pub fn summary(artifact: &AssessmentArtifact, output: &str) -> String {
    let mut text = String::new();
    text.push_str(&hosts_table(&artifact.hosts));
    text.push('\n');
    if !artifact.summary.top_cves.is_empty() {
        text.push_str(&cves_table(artifact));
        text.push('\n');
    }
    text.push_str(&sources_table(artifact));
    text.push('\n');

    let summary = &artifact.summary;
    let _ = write!(
        text,
        "{} findings on {} of {} hosts: {} emergency, {} scheduled, {} deferrable; \
         {} KEV-listed, {} overdue, {} resolved since the previous assessment. \
         Written to `{output}`.",
        summary.findings,
        summary.hosts_with_findings,
        summary.hosts,
        summary.emergency,
        summary.scheduled,
        summary.deferrable,
        summary.kev_findings,
        summary.overdue,
        summary.resolved,
    );
    text
}

fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED).set_header(header.to_vec());
    table
}

fn count(host: &HostAssessment, urgency: Urgency) -> usize {
    host.findings.iter().filter(|finding| finding.urgency == urgency).count()
}

fn hosts_table(hosts: &[HostAssessment]) -> String {
    let mut table = new_table(&[
        "Host",
        "Tier",
        "Status",
        "Emergency",
        "Scheduled",
        "Deferrable",
        "KEV",
        "Overdue",
        "Resolved",
    ]);
    let mut rows: Vec<&HostAssessment> = hosts.iter().collect();
    rows.sort_by_key(|host| {
        let overdue = host.findings.iter().filter(|finding| finding.overdue).count();
        (
            std::cmp::Reverse((count(host, Urgency::Emergency), overdue, host.findings.len())),
            &host.name,
        )
    });

    for host in rows.iter().take(MAX_HOST_ROWS) {
        let status = match &host.status {
            HostStatus::Assessed => "assessed".to_string(),
            HostStatus::NoAdvisoryData => "no advisory data".to_string(),
            HostStatus::NotReached { reason } => format!("not reached ({reason})"),
        };
        let numbers = [
            count(host, Urgency::Emergency),
            count(host, Urgency::Scheduled),
            count(host, Urgency::Deferrable),
            host.findings.iter().filter(|finding| finding.kev.is_some()).count(),
            host.findings.iter().filter(|finding| finding.overdue).count(),
            host.resolved.len(),
        ];
        let mut row = vec![Cell::new(&host.name), Cell::new(&host.tier), Cell::new(status)];
        row.extend(numbers.iter().map(|n| Cell::new(n).set_alignment(CellAlignment::Right)));
        table.add_row(row);
    }
    let mut text = table.to_string();
    if rows.len() > MAX_HOST_ROWS {
        let _ = write!(text, "\n… and {} more hosts", rows.len() - MAX_HOST_ROWS);
    }
    text
}

fn cves_table(artifact: &AssessmentArtifact) -> String {
    let mut table = new_table(&["CVE", "Hosts", "KEV", "EPSS", "CVSS"]);
    for cve in &artifact.summary.top_cves {
        table.add_row(vec![
            Cell::new(&cve.cve),
            Cell::new(cve.hosts).set_alignment(CellAlignment::Right),
            Cell::new(if cve.kev { "yes" } else { "" }),
            Cell::new(cve.epss.map(|e| format!("{e:.3}")).unwrap_or_default()),
            Cell::new(cve.max_cvss.map(|c| format!("{c:.1}")).unwrap_or_default()),
        ]);
    }
    table.to_string()
}

fn sources_table(artifact: &AssessmentArtifact) -> String {
    let mut table = new_table(&["Feed", "Path", "Data date", "Records", "Skipped"]);
    for source in &artifact.sources {
        table.add_row(vec![
            Cell::new(&source.kind),
            Cell::new(&source.path),
            Cell::new(source.data_date.as_deref().unwrap_or("unknown")),
            Cell::new(source.records).set_alignment(CellAlignment::Right),
            Cell::new(source.skipped).set_alignment(CellAlignment::Right),
        ]);
    }
    table.to_string()
}

/// One row per finding, with a header.
pub fn findings_csv(artifact: &AssessmentArtifact) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "host",
        "environment",
        "tier",
        "kind",
        "advisory",
        "cves",
        "package",
        "installed_version",
        "fixed_version",
        "severity",
        "cvss",
        "kev",
        "epss",
        "urgency",
        "reason",
        "first_seen",
        "deadline",
        "overdue",
    ])?;
    for host in &artifact.hosts {
        for finding in &host.findings {
            let kind = serde_json::to_value(finding.kind)?;
            writer.write_record([
                host.name.as_str(),
                host.environment.as_deref().unwrap_or_default(),
                host.tier.as_str(),
                kind.as_str().unwrap_or_default(),
                finding.advisory.as_str(),
                finding.cves.join(" ").as_str(),
                finding.package.as_str(),
                finding.installed_version.as_deref().unwrap_or_default(),
                finding.fixed_version.as_deref().unwrap_or_default(),
                finding.severity.as_str(),
                finding
                    .cvss
                    .as_ref()
                    .map(|c| c.base_score.to_string())
                    .unwrap_or_default()
                    .as_str(),
                finding.kev.as_ref().map(|k| k.cve.as_str()).unwrap_or_default(),
                finding.epss.as_ref().map(|e| e.score.to_string()).unwrap_or_default().as_str(),
                finding.urgency.as_str(),
                finding.reason.as_str(),
                finding.first_seen.as_str(),
                finding.deadline.as_str(),
                if finding.overdue { "yes" } else { "no" },
            ])?;
        }
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}
