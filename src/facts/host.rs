//! The host itself: os-release, kernel, uptime, memory, load and failed
//! systemd units, each from the file or tool that is the authority for it.

use crate::artifact::inventory::{LoadAverage, Memory, OsInfo};

/// What `uname -s -r -m` and `uname -v` said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Uname {
    /// `Linux`.
    pub system: String,
    /// The kernel release, `6.1.0-18-amd64`.
    pub release: String,
    /// The machine, `x86_64`.
    pub machine: String,
    /// The build string, `#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)`.
    pub build: String,
}

/// Parses os-release(5): `KEY=value` lines, values optionally quoted with
/// shell-style escapes; comments and unknown keys are ignored.
pub fn parse_os_release(text: &str) -> OsInfo {
    let mut os = OsInfo::default();
    let mut ubuntu_codename = None;
    for (key, value) in text.lines().filter_map(os_release_pair) {
        match key {
            "ID" => os.id = value,
            "VERSION_ID" => os.version_id = value,
            "PRETTY_NAME" => os.pretty_name = value,
            "VERSION_CODENAME" if !value.is_empty() => os.codename = Some(value),
            "UBUNTU_CODENAME" if !value.is_empty() => ubuntu_codename = Some(value),
            "ID_LIKE" => os.id_like = value.split_whitespace().map(str::to_string).collect(),
            _ => {}
        }
    }
    if os.codename.is_none() {
        os.codename = ubuntu_codename;
    }
    os
}

fn os_release_pair(line: &str) -> Option<(&str, String)> {
    let line = line.trim();
    if line.starts_with('#') {
        return None;
    }
    let (key, raw) = line.split_once('=')?;
    Some((key.trim(), unquote(raw.trim())))
}

/// Removes one level of shell quoting as os-release allows it.
fn unquote(raw: &str) -> String {
    let quote = raw.chars().next().filter(|c| *c == '"' || *c == '\'');
    let Some(quote) = quote else {
        return raw.to_string();
    };
    let inner = raw[1..].strip_suffix(quote).unwrap_or(&raw[1..]);
    if quote == '\'' {
        return inner.to_string();
    }
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                value.push(escaped);
            }
        } else {
            value.push(c);
        }
    }
    value
}

/// Parses the two lines the script prints: `uname -s -r -m`, then `uname -v`.
pub fn parse_uname(text: &str) -> Uname {
    let mut lines = text.lines();
    let first: Vec<&str> = lines.next().unwrap_or("").split_whitespace().collect();
    let field = |index: usize| first.get(index).copied().unwrap_or_default().to_string();
    Uname {
        system: field(0),
        release: field(1),
        machine: field(2),
        build: lines.next().unwrap_or("").trim().to_string(),
    }
}

/// Seconds since boot from `/proc/uptime` (`660.51 913.53`).
pub fn parse_uptime(text: &str) -> Option<u64> {
    let seconds: f64 = text.split_whitespace().next()?.parse().ok()?;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "uptime is a small positive number of seconds; the fraction is dropped on purpose"
    )]
    let whole = seconds.max(0.0).trunc() as u64;
    Some(whole)
}

/// Total and available memory from `/proc/meminfo`. Kernels before 3.14
/// lack `MemAvailable`; there free + buffers + page cache is the estimate.
pub fn parse_meminfo(text: &str) -> Option<Memory> {
    let value = |key: &str| -> Option<u64> {
        let line = text.lines().find(|line| line.split(':').next() == Some(key))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    };
    let total_bytes = value("MemTotal")?;
    let available_bytes = value("MemAvailable").or_else(|| {
        Some(value("MemFree")? + value("Buffers").unwrap_or(0) + value("Cached").unwrap_or(0))
    })?;
    Some(Memory { total_bytes, available_bytes })
}

/// The three load averages from `/proc/loadavg`.
pub fn parse_loadavg(text: &str) -> Option<LoadAverage> {
    let mut fields = text.split_whitespace().map(str::parse::<f64>);
    Some(LoadAverage {
        one: fields.next()?.ok()?,
        five: fields.next()?.ok()?,
        fifteen: fields.next()?.ok()?,
    })
}

/// Failed units from `systemctl list-units --state=failed --plain
/// --no-legend`, or `None` when the script found no systemd.
pub fn parse_failed_units(text: &str) -> Option<Vec<String>> {
    if text.trim() == "no-systemd" {
        return None;
    }
    let mut units: Vec<String> = text
        .lines()
        .filter_map(|line| line.split_whitespace().find(|word| *word != "●" && *word != "*"))
        .filter(|unit| unit.contains('.'))
        .map(str::to_string)
        .collect();
    units.sort();
    units.dedup();
    Some(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_handles_quotes_escapes_and_ubuntu_codename() {
        let text = "# comment\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\n\
                    ID_LIKE=debian\nPRETTY_NAME=\"Ubuntu \\\"Jammy\\\" 22.04.4 LTS\"\n\
                    UBUNTU_CODENAME=jammy\n";
        let os = parse_os_release(text);
        assert_eq!(os.id, "ubuntu");
        assert_eq!(os.version_id, "22.04");
        assert_eq!(os.pretty_name, "Ubuntu \"Jammy\" 22.04.4 LTS");
        assert_eq!(os.codename.as_deref(), Some("jammy"));
        assert_eq!(os.id_like, ["debian"]);
    }

    #[test]
    fn rhel_id_like_splits_on_spaces() {
        let os = parse_os_release("ID='almalinux'\nID_LIKE=\"rhel centos fedora\"\n");
        assert_eq!(os.id, "almalinux");
        assert_eq!(os.id_like, ["rhel", "centos", "fedora"]);
        assert_eq!(os.codename, None);
    }

    #[test]
    fn uname_keeps_the_build_string_whole() {
        let uname = parse_uname(
            "Linux 6.1.0-18-amd64 x86_64\n#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n",
        );
        assert_eq!(uname.release, "6.1.0-18-amd64");
        assert_eq!(uname.machine, "x86_64");
        assert!(uname.build.ends_with("Debian 6.1.76-1 (2024-02-01)"));
    }

    #[test]
    fn meminfo_falls_back_without_mem_available() {
        let old = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\n";
        let memory = parse_meminfo(old).unwrap();
        assert_eq!(memory.total_bytes, 1_024_000);
        assert_eq!(memory.available_bytes, 310 * 1024);
    }

    #[test]
    fn loadavg_and_uptime_parse() {
        let load = parse_loadavg("0.99 0.75 0.39 2/108 20514\n").unwrap();
        assert!((load.fifteen - 0.39).abs() < f64::EPSILON);
        assert_eq!(parse_uptime("660.51 913.53\n"), Some(660));
        assert_eq!(parse_uptime(""), None);
    }

    #[test]
    fn failed_units_accept_old_bullets_and_no_systemd() {
        let text = "● nginx.service loaded failed failed A high performance web server\n\
                    var-lib-x.mount loaded failed failed /var/lib/x\n";
        assert_eq!(
            parse_failed_units(text),
            Some(vec!["nginx.service".to_string(), "var-lib-x.mount".to_string()])
        );
        assert_eq!(parse_failed_units("no-systemd\n"), None);
        assert_eq!(parse_failed_units(""), Some(vec![]));
    }
}
