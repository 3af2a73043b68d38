//! Linux hosts: the one-round-trip gather script and the parser that turns
//! its output into [`Facts`].
//!
//! The script (`gather.sh` beside this file) is plain POSIX sh so it runs
//! under dash, busybox ash and bash alike, and it is cheap: one
//! `dpkg-query` or `rpm -qa` for every package, small files read with
//! shell builtins, a bounded scan for deleted libraries. Each step reports
//! its own exit status, so one failing tool (a held lock, a full disk, a
//! missing `ss`) costs that fact, not the host; [`parse`] turns every such
//! failure into a [`GatherIssue`] next to the facts that did arrive.
//!
//! The transport runs [`GATHER_SCRIPT`] as `sh -c '<script>'` (the text
//! quoted by the transport's one quoting function; it contains single
//! quotes), whatever the login shell. With `PP_REFRESH=1` in the
//! environment the script first refreshes the package metadata
//! (`apt-get update`, `dnf makecache`, …) and reports whether that failed.

use std::collections::{BTreeMap, BTreeSet};

use super::reboot::{self, RebootHint};
use super::sections::{self, GatherOutput, Section};
use super::{FactsError, addresses, apk, apt, disk, host, listen, lock, rpm, zypper};
use crate::artifact::inventory::{Facts, GatherIssue, Package, PendingUpdate, RebootStatus};

/// The gather script, to run on the remote host as one `sh` invocation.
pub const GATHER_SCRIPT: &str = include_str!("gather.sh");

/// Environment variable that makes the script refresh package metadata.
pub const REFRESH_VARIABLE: &str = "PP_REFRESH";

/// What a package step prints instead of its output when the package
/// state matched the one the controller sent.
const UNCHANGED_MARKER: &str = "# unchanged";

/// How much of a step's stderr is quoted in an issue.
const STDERR_QUOTE_CHARS: usize = 300;

/// Parses the script's stdout alone (captures where stderr was not kept).
pub fn parse(output: &[u8]) -> Result<Facts, FactsError> {
    parse_streams(output, b"")
}

/// Parses the script's stdout and stderr. Fails only when stdout is not
/// gather output at all; everything short of that yields facts plus issues.
pub fn parse_streams(stdout: &[u8], stderr: &[u8]) -> Result<Facts, FactsError> {
    parse_with_previous(stdout, stderr, None)
}

/// Parses a gather that was sent the previous inventory's package state:
/// where the host answers that nothing changed, the package list and
/// pending updates are `previous`'s.
pub fn parse_with_previous(
    stdout: &[u8],
    stderr: &[u8],
    previous: Option<&Facts>,
) -> Result<Facts, FactsError> {
    let text = super::lossy_text(stdout);
    let stderr = super::lossy_text(stderr);
    let mut gather = sections::split(&text)?;
    sections::attach_stderr(&mut gather, &stderr);
    let meta = parse_meta(gather.body("meta").unwrap_or_default());
    let package_manager = meta.get("package_manager").filter(|pm| *pm != "none").cloned();

    let mut facts = host_facts(&gather);
    facts.package_manager.clone_from(&package_manager);
    facts.package_state = package_state(&gather);
    let carried_over = carried_over_packages(&gather, previous);
    if let Some(previous) = carried_over {
        facts.packages.clone_from(&previous.packages);
        facts.pending_updates.clone_from(&previous.pending_updates);
        facts.packages_carried_over = true;
    } else {
        facts.packages = packages(&gather, package_manager.as_deref());
        facts.pending_updates =
            pending_updates(&gather, package_manager.as_deref(), &facts.packages);
    }
    facts.reboot = reboot_status(&gather, &facts);
    facts.package_lock_held = gather.body("package-lock").and_then(lock::parse_package_lock);
    facts.gather_issues = issues(&gather, &meta, package_manager.as_deref());
    if carried_over.is_none() && is_unchanged(&gather, "packages") {
        facts.gather_issues.push(issue(
            "packages",
            "the host reported its packages unchanged, but no previous facts were given",
        ));
    }
    Ok(facts)
}

/// The script's `package-state` section, when it ran cleanly.
fn package_state(gather: &GatherOutput<'_>) -> Option<String> {
    gather
        .section("package-state")
        .filter(|section| section.exit_code == Some(0))
        .map(|section| section.body.trim_end().to_string())
        .filter(|state| !state.is_empty() && state != "not applicable")
}

/// `previous`, when the host answered `# unchanged` for both package steps.
fn carried_over_packages<'p>(
    gather: &GatherOutput<'_>,
    previous: Option<&'p Facts>,
) -> Option<&'p Facts> {
    let unchanged = is_unchanged(gather, "packages") && is_unchanged(gather, "updates");
    previous.filter(|_| unchanged)
}

fn is_unchanged(gather: &GatherOutput<'_>, name: &str) -> bool {
    gather.section(name).is_some_and(|section| {
        section.exit_code == Some(0) && section.body.trim_end() == UNCHANGED_MARKER
    })
}

/// The body of one section of the script's stdout (empty when absent), for
/// steps whose output is not a fact of their own, such as the digests of
/// watched files.
pub fn section_text(stdout: &[u8], name: &str) -> String {
    let text = super::lossy_text(stdout);
    sections::split(&text)
        .ok()
        .and_then(|gather| gather.body(name).map(str::to_string))
        .unwrap_or_default()
}

/// `key=value` lines of the `meta` section.
fn parse_meta(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
        .collect()
}

/// Everything that does not depend on the package manager.
fn host_facts(gather: &GatherOutput<'_>) -> Facts {
    let uname = host::parse_uname(gather.body("uname").unwrap_or_default());
    let body = |name: &str| gather.body(name).unwrap_or_default();
    let trimmed =
        |name: &str| Some(body(name).trim().to_string()).filter(|value| !value.is_empty());
    let rows = disk::parse_df(body("df"));
    // Output of format v1 scripts before `df -T` had a `mounts` section.
    let mut mount_types = disk::parse_mount_types(body("mounts"));
    mount_types.extend(disk::parse_df_types(body("df")));

    Facts {
        os: host::parse_os_release(body("os-release")),
        kernel: uname.release,
        architecture: uname.machine,
        hostname: trimmed("hostname").unwrap_or_default(),
        addresses: addresses::host_addresses(body("ipv4-addresses"), body("ipv6-addresses")),
        boot_id: trimmed("boot-id"),
        uptime_seconds: host::parse_uptime(body("uptime")),
        disks: disk::real_disks(rows, &mount_types),
        memory: host::parse_meminfo(body("meminfo")),
        load: host::parse_loadavg(body("loadavg")),
        failed_units: gather
            .section("failed-units")
            .filter(|section| section.exit_code == Some(0))
            .and_then(|section| host::parse_failed_units(section.body)),
        listening: listen::parse_listening(body("listening")),
        ..Facts::default()
    }
}

fn packages(gather: &GatherOutput<'_>, package_manager: Option<&str>) -> Vec<Package> {
    let body = gather.body("packages").unwrap_or_default();
    match package_manager {
        Some("apt") => apt::parse_dpkg_query(body),
        Some("dnf" | "yum" | "zypper") => rpm::parse_rpm_query(body),
        Some("apk") => apk::parse_apk_database(body),
        _ => vec![],
    }
}

fn pending_updates(
    gather: &GatherOutput<'_>,
    package_manager: Option<&str>,
    installed: &[Package],
) -> Vec<PendingUpdate> {
    let body = gather.body("updates").unwrap_or_default();
    let mut updates = match package_manager {
        Some("apt") if body.starts_with("# apt-list") => apt::parse_apt_list_upgradable(body),
        Some("apt") => apt::parse_apt_simulate(body),
        Some("dnf" | "yum") => with_rpm_security(rpm::parse_check_update(body), gather),
        Some("zypper") => with_zypper_security(zypper::parse_list_updates(body), gather),
        Some("apk") if body.contains("[upgradable from:") => apk::parse_apk_list_upgradable(body),
        Some("apk") => apk::parse_apk_version(body),
        _ => vec![],
    };
    fill_installed_versions(&mut updates, installed);
    updates.sort();
    updates
}

/// dnf and yum list security updates with `--security check-update`; when
/// that step failed, whether an update is security stays unknown.
fn with_rpm_security(
    mut updates: Vec<PendingUpdate>,
    gather: &GatherOutput<'_>,
) -> Vec<PendingUpdate> {
    let Some(section) = gather.section("security-updates").filter(|s| is_check_update_ok(s)) else {
        return updates;
    };
    let security: BTreeSet<(String, Option<String>)> = rpm::parse_check_update(section.body)
        .into_iter()
        .map(|update| (update.name, update.arch))
        .collect();
    for update in &mut updates {
        update.security = Some(security.contains(&(update.name.clone(), update.arch.clone())));
    }
    updates
}

/// `check-update` exits 100 when updates exist, 0 when none do.
fn is_check_update_ok(section: &Section<'_>) -> bool {
    matches!(section.exit_code, Some(0 | 100))
}

/// zypper marks security on patches; an update is security when a needed
/// security patch names its package.
fn with_zypper_security(
    mut updates: Vec<PendingUpdate>,
    gather: &GatherOutput<'_>,
) -> Vec<PendingUpdate> {
    let Some(section) = gather.section("security-patch-info").filter(|s| s.exit_code == Some(0))
    else {
        return updates;
    };
    let security = zypper::security_packages(&zypper::parse_patch_info(section.body));
    for update in &mut updates {
        update.security = Some(security.contains(&update.name));
    }
    updates
}

/// Tools that print only the candidate (dnf, yum) get the installed
/// version from the package list; with several installed (kernels), the
/// newest counts.
fn fill_installed_versions(updates: &mut [PendingUpdate], installed: &[Package]) {
    for update in updates.iter_mut().filter(|update| update.installed_version.is_none()) {
        update.installed_version = installed
            .iter()
            .filter(|package| package.name == update.name)
            .filter(|package| update.arch.as_deref().is_none_or(|arch| arch == package.arch))
            .map(|package| package.version.as_str())
            .max_by(|a, b| super::version::compare_releases(a, b))
            .map(str::to_string);
    }
}

fn reboot_status(gather: &GatherOutput<'_>, facts: &Facts) -> RebootStatus {
    let body = |name: &str| gather.body(name).unwrap_or_default();
    let mut status = RebootStatus::default();

    if let Some(lines) = reboot::parse_flag_file(body("reboot-required")) {
        let detail = lines.first().map(|line| format!(": {line}")).unwrap_or_default();
        status.reasons.push(format!("`/var/run/reboot-required` exists{detail}"));
    }
    if let Some(packages) = reboot::parse_flag_file(body("reboot-required-pkgs")) {
        status.packages.extend(packages);
    }
    if reboot::parse_flag_file(body("reboot-needed")).is_some() {
        status.reasons.push("`/run/reboot-needed` exists".to_string());
    }

    let uname = host::parse_uname(body("uname"));
    let kernels = reboot::parse_kernels(body("kernels"));
    status.reasons.extend(reboot::kernel_reason(&uname.release, &kernels));
    status.reasons.extend(reboot::kernel_rebuild_reason(&uname, &facts.packages));
    apply_reboot_tool(&mut status, gather, facts.package_manager.as_deref());
    apply_deleted_libraries(&mut status, body("deleted-libraries"));

    status.packages.sort();
    status.packages.dedup();
    status.required = !status.reasons.is_empty();
    status
}

fn apply_reboot_tool(
    status: &mut RebootStatus,
    gather: &GatherOutput<'_>,
    package_manager: Option<&str>,
) {
    let body = gather.body("reboot-tool").unwrap_or_default();
    let (tool, hint): (&str, RebootHint) = match package_manager {
        Some("dnf" | "yum") => ("needs-restarting -r", rpm::parse_needs_restarting_reboot(body)),
        Some("zypper") => ("zypper needs-rebooting", zypper::parse_needs_rebooting(body)),
        _ => return,
    };
    if hint.required == Some(true) {
        status.reasons.push(format!("`{tool}` says a reboot is required"));
    }
    status.packages.extend(hint.packages);
}

fn apply_deleted_libraries(status: &mut RebootStatus, body: &str) {
    let mappings = reboot::parse_deleted_libraries(body);
    let Some(first) = mappings.first() else {
        return;
    };
    let count = match mappings.len() {
        1 => "1 process still maps".to_string(),
        many => format!("{many} processes still map"),
    };
    status.reasons.push(format!(
        "{count} deleted libraries or programs, e.g. `{}` maps `{}`",
        first.command, first.path
    ));
    status.processes_using_deleted_libraries = mappings
        .iter()
        .map(|mapping| format!("{} (pid {})", mapping.command, mapping.pid))
        .collect();
}

/// Turns failed, cut or degraded steps into issues.
fn issues(
    gather: &GatherOutput<'_>,
    meta: &BTreeMap<String, String>,
    package_manager: Option<&str>,
) -> Vec<GatherIssue> {
    let mut issues: Vec<GatherIssue> = gather
        .sections
        .iter()
        .filter_map(|(name, section)| section_issue(name, section, package_manager))
        .collect();

    if !gather.is_complete {
        issues.push(issue("gather", "the output ended before the gather script finished"));
    }
    if meta.get("uid").is_some_and(|uid| uid != "0") {
        issues.push(issue(
            "privilege",
            "gathered without root: processes using deleted libraries and the names of \
             listening processes may be missing",
        ));
    }
    if package_manager.is_none() {
        issues.push(issue("packages", "no supported package manager was found"));
    }
    let deleted = gather.body("deleted-libraries").unwrap_or_default();
    if deleted.lines().count() >= 200 {
        issues.push(issue("deleted-libraries", "only the first 200 processes were listed"));
    }
    issues.sort();
    issues
}

fn section_issue(
    name: &str,
    section: &Section<'_>,
    package_manager: Option<&str>,
) -> Option<GatherIssue> {
    let Some(code) = section.exit_code else {
        return Some(issue(name, "the output ended before this step finished"));
    };
    if is_expected_exit(name, code, package_manager) {
        return None;
    }
    let what =
        if code == 124 { "timed out".to_string() } else { format!("exited with status {code}") };
    let detail = section.stderr.map(quote_stderr).unwrap_or_default();
    Some(issue(name, &format!("{what}{detail}")))
}

/// Exit statuses that carry an answer rather than a failure.
fn is_expected_exit(name: &str, code: i32, package_manager: Option<&str>) -> bool {
    match (name, package_manager) {
        (_, _) if code == 0 => true,
        ("updates" | "security-updates", Some("dnf" | "yum")) => code == 100,
        // needs-restarting says 1 for "reboot needed"; sha256sum says 1 when
        // a watched file cannot be read, which the file's record shows; a
        // kernel without IPv6 has no if_inet6, so no IPv6 address to list.
        ("reboot-tool", Some("dnf" | "yum")) | ("watched-files" | "ipv6-addresses", _) => code == 1,
        ("reboot-tool", Some("zypper")) => code == 102,
        _ => false,
    }
}

/// `: first line; second line…`, bounded.
fn quote_stderr(stderr: &str) -> String {
    let joined = stderr.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>();
    if joined.is_empty() {
        return String::new();
    }
    let text = joined.join("; ");
    let quoted: String = text.chars().take(STDERR_QUOTE_CHARS).collect();
    let ellipsis = if quoted.len() < text.len() { "…" } else { "" };
    format!(": {quoted}{ellipsis}")
}

fn issue(section: &str, message: &str) -> GatherIssue {
    GatherIssue { section: section.to_string(), message: message.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_asks_for_what_the_parsers_read() {
        assert!(GATHER_SCRIPT.contains(apt::DPKG_QUERY_FORMAT));
        assert!(GATHER_SCRIPT.contains(rpm::RPM_QUERY_FORMAT));
        assert!(GATHER_SCRIPT.contains(REFRESH_VARIABLE));
        assert!(GATHER_SCRIPT.contains(&format!("@@pp:gather v={}@@", sections::FORMAT_VERSION)));
    }

    #[test]
    fn failed_steps_become_issues_and_the_rest_still_parses() {
        let output = "@@pp:gather v=1@@\n\
            @@pp:begin meta@@\nuid=0\npackage_manager=dnf\n\n@@pp:end meta rc=0@@\n\
            @@pp:begin hostname@@\nweb1\n\n@@pp:end hostname rc=0@@\n\
            @@pp:begin packages@@\nglibc 0 2.28 151.el8 x86_64 glibc-2.28-151.el8.src.rpm\n\n\
            @@pp:end packages rc=0@@\n\
            @@pp:begin updates@@\nglibc.x86_64  2.28-161.el8  baseos\n\n@@pp:end updates rc=100@@\n\
            @@pp:begin security-updates@@\n\n@@pp:end security-updates rc=1@@\n\
            @@pp:begin security-updates.stderr@@\nError: Cache-only enabled but no cache\n\n\
            @@pp:end security-updates.stderr rc=0@@\n\
            @@pp:begin reboot-tool@@\nReboot is required to fully utilize these updates.\n\n\
            @@pp:end reboot-tool rc=1@@\n@@pp:done@@\n";
        let facts = parse(output.as_bytes()).unwrap();
        assert_eq!(facts.hostname, "web1");
        assert_eq!(facts.pending_updates.len(), 1);
        assert_eq!(facts.pending_updates[0].installed_version.as_deref(), Some("2.28-151.el8"));
        assert_eq!(facts.pending_updates[0].security, None);
        assert!(facts.reboot.required);
        assert_eq!(facts.gather_issues.len(), 1, "{:?}", facts.gather_issues);
        assert_eq!(facts.gather_issues[0].section, "security-updates");
        assert!(facts.gather_issues[0].message.contains("Cache-only"));
    }

    /// A kernel built or booted without IPv6 has no `/proc/net/if_inet6`:
    /// that is an answer (no IPv6 address), not a failed step.
    #[test]
    fn a_host_without_ipv6_has_its_ipv4_addresses_and_no_issue() {
        let output = "@@pp:gather v=1@@\n\
            @@pp:begin meta@@\nuid=0\npackage_manager=apt\n\n@@pp:end meta rc=0@@\n\
            @@pp:begin ipv4-addresses@@\n127.0.0.1\n10.1.2.3\n\n@@pp:end ipv4-addresses rc=0@@\n\
            @@pp:begin ipv6-addresses@@\n\n@@pp:end ipv6-addresses rc=1@@\n@@pp:done@@\n";
        let facts = parse(output.as_bytes()).unwrap();
        assert_eq!(facts.addresses, ["10.1.2.3".parse::<std::net::IpAddr>().unwrap()]);
        assert!(facts.gather_issues.is_empty(), "{:?}", facts.gather_issues);
    }

    #[test]
    fn non_utf8_bytes_are_tolerated() {
        let mut output =
            b"@@pp:gather v=1@@\n@@pp:begin hostname@@\nh\xffst\n\n@@pp:end hostname rc=0@@\n"
                .to_vec();
        output.extend_from_slice(b"@@pp:done@@\n");
        let facts = parse(&output).unwrap();
        assert_eq!(facts.hostname, "h\u{fffd}st");
    }
}
