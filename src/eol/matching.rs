//! Finding a host's release in the tables: os-release → product and cycle.
//!
//! os-release `ID`s name products differently from endoflife.date (`rocky`
//! is `rocky-linux`, `amzn` is `amazon-linux`, `ol` is `oracle-linux`), and
//! `VERSION_ID` is often more precise than a release cycle (RHEL `9.4` is
//! cycle `9`, Alpine `3.20.1` is `3.20`, macOS `14.5` is `14`), so the
//! version is shortened one component at a time until a cycle matches.
//! SLES writes `15` for 15 GA, whose cycle is `15.0`.
//!
//! Windows has no os-release: the facts give `ID=windows`, the build as
//! `VERSION_ID` (`10.0.20348`) and the product name as `PRETTY_NAME`
//! ("Microsoft Windows Server 2022 Datacenter"). Servers are matched by the
//! year in the name, then by build; clients by build, then by edition
//! (Enterprise/Education `-e`, LTSC `-e-lts`, `IoT` LTSC `-iot-lts`, other
//! editions `-w`).

use crate::artifact::inventory::OsInfo;

use super::table::Release;

/// endoflife.date product for an os-release `ID`.
pub(crate) fn product_for(os: &OsInfo) -> Option<&'static str> {
    let id = os.id.trim().to_ascii_lowercase();
    let pretty = os.pretty_name.to_ascii_lowercase();
    let product = match id.as_str() {
        "debian" => "debian",
        "ubuntu" => "ubuntu",
        "rhel" => "rhel",
        "almalinux" => "almalinux",
        "rocky" => "rocky-linux",
        "alpine" => "alpine-linux",
        "amzn" => "amazon-linux",
        "centos" if pretty.contains("stream") => return None,
        "centos" => "centos",
        "fedora" => "fedora",
        "ol" => "oracle-linux",
        "sles" | "sled" => "sles",
        "windows" if pretty.contains("server") => "windows-server",
        "windows" => "windows",
        "macos" | "darwin" => "macos",
        _ => return None,
    };
    Some(product)
}

/// The release of `product` the host runs, if the table has it.
pub(crate) fn release_for<'a>(
    product: &str,
    os: &OsInfo,
    releases: &'a [Release],
) -> Option<&'a Release> {
    match product {
        "windows-server" => windows_server(os, releases),
        "windows" => windows_client(os, releases),
        _ => by_version(&os.version_id, releases),
    }
}

/// `3.20.1`, then `3.20`, then `3`; a single component also tries `X.0`.
fn by_version<'a>(version_id: &str, releases: &'a [Release]) -> Option<&'a Release> {
    let version = version_id.trim();
    if version.is_empty() {
        return None;
    }

    let parts: Vec<&str> = version.split('.').collect();
    let mut candidates: Vec<String> =
        (1..=parts.len()).rev().map(|count| parts[..count].join(".")).collect();
    if parts.len() == 1 {
        candidates.push(format!("{version}.0"));
    }
    candidates
        .iter()
        .find_map(|candidate| releases.iter().find(|release| release.cycle == *candidate))
}

fn windows_server<'a>(os: &OsInfo, releases: &'a [Release]) -> Option<&'a Release> {
    const YEARS: &[(&str, &str)] = &[
        ("2025", "2025"),
        ("2022", "2022"),
        ("2019", "2019"),
        ("2016", "2016"),
        ("2012 r2", "2012-r2"),
        ("2012", "2012"),
        ("2008 r2", "2008-r2-sp1"),
        ("2008", "2008-sp2"),
        ("2003", "2003-sp2"),
    ];
    let name = os.pretty_name.to_ascii_lowercase();
    let by_year = YEARS
        .iter()
        .find(|(year, _)| name.contains(year))
        .and_then(|(_, cycle)| releases.iter().find(|release| release.cycle == *cycle));
    by_year.or_else(|| same_build(os, releases).into_iter().next())
}

fn windows_client<'a>(os: &OsInfo, releases: &'a [Release]) -> Option<&'a Release> {
    let candidates = same_build(os, releases);
    let name = os.pretty_name.to_ascii_lowercase();
    let suffix = if name.contains("iot") && name.contains("ltsc") {
        "-iot-lts"
    } else if name.contains("ltsc") {
        "-e-lts"
    } else if name.contains("enterprise") || name.contains("education") {
        "-e"
    } else {
        "-w"
    };

    let edition_free = |release: &&&Release| {
        !["-e", "-w", "-lts", "-iot"].iter().any(|tag| release.cycle.ends_with(tag))
    };
    candidates
        .iter()
        .find(|release| release.cycle.ends_with(suffix))
        .or_else(|| candidates.iter().find(edition_free))
        .or_else(|| candidates.first())
        .copied()
}

/// Releases whose latest build has the host's `major.minor.build`.
fn same_build<'a>(os: &OsInfo, releases: &'a [Release]) -> Vec<&'a Release> {
    let build = |version: &str| version.split('.').take(3).collect::<Vec<_>>().join(".");
    let wanted = build(&os.version_id);
    if wanted.split('.').count() < 3 {
        return Vec::new();
    }
    releases
        .iter()
        .filter(|release| release.latest.as_deref().is_some_and(|latest| build(latest) == wanted))
        .collect()
}
