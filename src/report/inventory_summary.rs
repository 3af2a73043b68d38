//! The tables `patchpilot inventory` prints for people.

use std::collections::BTreeMap;

use comfy_table::{Cell, Color, Table, presets};

use crate::artifact::inventory::{HostOutcome, HostRecord, InventoryArtifact};

/// Above this many hosts, only the per-OS summary and the problem hosts are
/// listed; the artifact has the rest.
const HOST_ROWS_LIMIT: usize = 50;

/// Renders the summary: one row per host for small fleets, otherwise one
/// row per OS and tier plus every host that needs attention.
pub fn render(artifact: &InventoryArtifact, color: bool) -> String {
    let mut parts = Vec::new();
    if artifact.hosts.len() <= HOST_ROWS_LIMIT {
        parts.push(host_table(artifact.hosts.iter(), color).to_string());
    } else {
        parts.push(group_table(&artifact.hosts).to_string());
        let problems: Vec<&HostRecord> =
            artifact.hosts.iter().filter(|host| needs_attention(host)).collect();
        if !problems.is_empty() {
            parts.push(format!("hosts needing attention ({}):", problems.len()));
            parts.push(host_table(problems.into_iter(), color).to_string());
        }
    }
    parts.push(totals(&artifact.hosts));
    if let Some(cmdb) = &artifact.cmdb {
        parts.push(format!(
            "CMDB: {} missing or unreachable, {} not in CMDB, {} field mismatches",
            cmdb.missing_or_unreachable.len(),
            cmdb.not_in_cmdb.len(),
            cmdb.mismatches.len()
        ));
    }
    parts.join("\n")
}

fn needs_attention(host: &HostRecord) -> bool {
    !host.outcome.is_ok()
        || host.facts.as_ref().is_some_and(|facts| facts.reboot.required)
        || host.eol.as_ref().is_some_and(|eol| eol.state != "supported")
}

fn host_table<'a>(hosts: impl Iterator<Item = &'a HostRecord>, color: bool) -> Table {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    if !color {
        table.force_no_tty();
    }
    table.set_header([
        "host",
        "status",
        "os",
        "tier",
        "packages",
        "updates (security)",
        "reboot",
        "eol",
    ]);
    for host in hosts {
        let facts = host.facts.as_ref();
        table.add_row(vec![
            Cell::new(&host.name),
            status_cell(&host.outcome, color),
            Cell::new(facts.map_or("-", |f| f.os.pretty_name.as_str())),
            Cell::new(&host.tier.tier),
            Cell::new(facts.map_or("-".to_string(), |f| f.packages.len().to_string())),
            Cell::new(facts.map_or("-".to_string(), |f| {
                let security =
                    f.pending_updates.iter().filter(|u| u.security == Some(true)).count();
                format!("{} ({security})", f.pending_updates.len())
            })),
            Cell::new(facts.map_or("-", |f| if f.reboot.required { "required" } else { "no" })),
            Cell::new(host.eol.as_ref().map_or("-".to_string(), |eol| eol.state.clone())),
        ]);
    }
    table
}

fn status_cell(outcome: &HostOutcome, color: bool) -> Cell {
    let cell = Cell::new(outcome.status());
    match (color, outcome.is_ok()) {
        (false, _) => cell,
        (true, true) => cell.fg(Color::Green),
        (true, false) => cell.fg(Color::Red),
    }
}

/// One row per OS and tier.
fn group_table(hosts: &[HostRecord]) -> Table {
    #[derive(Default)]
    struct Row {
        hosts: usize,
        reachable: usize,
        updates: usize,
        security: usize,
        reboot: usize,
        eol: usize,
    }
    let mut rows: BTreeMap<(String, String), Row> = BTreeMap::new();
    for host in hosts {
        let os = host.facts.as_ref().map_or("unknown".to_string(), |f| f.os.pretty_name.clone());
        let row = rows.entry((os, host.tier.tier.clone())).or_default();
        row.hosts += 1;
        if let Some(facts) = &host.facts {
            row.reachable += 1;
            row.updates += facts.pending_updates.len();
            row.security +=
                facts.pending_updates.iter().filter(|u| u.security == Some(true)).count();
            row.reboot += usize::from(facts.reboot.required);
        }
        row.eol += usize::from(host.eol.as_ref().is_some_and(|eol| eol.state != "supported"));
    }

    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_header(["os", "tier", "hosts", "reachable", "updates", "security", "reboot", "eol"]);
    for ((os, tier), row) in rows {
        table.add_row(vec![
            os,
            tier,
            row.hosts.to_string(),
            row.reachable.to_string(),
            row.updates.to_string(),
            row.security.to_string(),
            row.reboot.to_string(),
            row.eol.to_string(),
        ]);
    }
    table
}

fn totals(hosts: &[HostRecord]) -> String {
    let reachable = hosts.iter().filter(|host| host.outcome.is_ok()).count();
    format!("{} hosts, {reachable} reachable, {} not", hosts.len(), hosts.len() - reachable)
}
