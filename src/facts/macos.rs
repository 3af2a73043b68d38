//! macOS: the release from `sw_vers` and pending updates from
//! `softwareupdate --list`, in both the pre-Catalina layout (`* LABEL`
//! then `TITLE (VERSION), SIZE [recommended] [restart]`) and the
//! Catalina-and-later one (`* Label: …` then `Title: …, Version: …,
//! Size: …, Recommended: YES, Action: restart,`).
//!
// LIMITATION: there is no macOS gather script yet; these parsers are ready
// for one (run `sw_vers; softwareupdate --list` in one round trip and split
// the output like the Linux sections).

use serde::Serialize;

use crate::artifact::inventory::{OsInfo, PendingUpdate};

/// One entry of `softwareupdate --list`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MacUpdate {
    /// The label `softwareupdate --install` takes.
    pub label: String,
    pub title: String,
    pub version: Option<String>,
    /// As printed: `224804K`, `152370KiB`.
    pub size: Option<String>,
    pub recommended: bool,
    /// `restart` or `shut down` when installing needs one.
    pub action: Option<String>,
}

/// Parses `sw_vers` (`ProductName:\tmacOS` …) into the os-release shape:
/// id `macos`, the product version, a codename from the major release, and
/// the build number in the pretty name.
pub fn parse_sw_vers(text: &str) -> OsInfo {
    let value = |key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
            .map(str::trim)
            .unwrap_or_default()
    };
    let (name, version, build) =
        (value("ProductName"), value("ProductVersion"), value("BuildVersion"));
    let mut parts: Vec<String> = [name, version]
        .iter()
        .filter(|part| !part.is_empty())
        .map(|part| (*part).to_string())
        .collect();
    if !build.is_empty() {
        parts.push(format!("({build})"));
    }
    let pretty_name = parts.join(" ");
    OsInfo {
        id: "macos".to_string(),
        version_id: version.to_string(),
        pretty_name,
        codename: codename(version).map(str::to_string),
        id_like: vec![],
    }
}

/// Apple's marketing name for a release, from its version number.
fn codename(version: &str) -> Option<&'static str> {
    let mut parts = version.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next().and_then(|minor| minor.parse().ok()).unwrap_or(0);
    let name = match (major, minor) {
        (10, 9) => "Mavericks",
        (10, 10) => "Yosemite",
        (10, 11) => "El Capitan",
        (10, 12) => "Sierra",
        (10, 13) => "High Sierra",
        (10, 14) => "Mojave",
        (10, 15) => "Catalina",
        (11, _) => "Big Sur",
        (12, _) => "Monterey",
        (13, _) => "Ventura",
        (14, _) => "Sonoma",
        (15, _) => "Sequoia",
        (26, _) => "Tahoe",
        _ => return None,
    };
    Some(name)
}

/// Parses `softwareupdate --list`, either layout.
pub fn parse_softwareupdate_list(text: &str) -> Vec<MacUpdate> {
    let mut updates: Vec<MacUpdate> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next();
        let is_entry = matches!(marker, Some('*' | '-')) && trimmed.get(1..2) == Some(" ");
        if is_entry {
            let label = trimmed[2..].trim();
            let label = label.strip_prefix("Label: ").unwrap_or(label);
            updates.push(MacUpdate {
                label: label.to_string(),
                recommended: marker == Some('*'),
                ..MacUpdate::default()
            });
        } else if let Some(update) = updates.last_mut().filter(|u| u.title.is_empty()) {
            if let Some(details) = trimmed.strip_prefix("Title: ") {
                apply_modern_details(update, details);
            } else if !trimmed.is_empty() {
                apply_legacy_details(update, trimmed);
            }
        }
    }
    updates
}

/// `Title: T, Version: V, Size: S, Recommended: YES, Action: restart,` (the
/// `Title: ` prefix already removed). Titles may hold commas, so fields
/// are found by their key names.
fn apply_modern_details(update: &mut MacUpdate, details: &str) {
    const KEYS: [&str; 4] = [", Version: ", ", Size: ", ", Recommended: ", ", Action: "];
    let title_end = KEYS.iter().filter_map(|key| details.find(key)).min().unwrap_or(details.len());
    update.title = details[..title_end].trim().trim_end_matches(',').to_string();

    let field = |key: &str| -> Option<String> {
        let start = details.find(key)? + key.len();
        let value = details[start..].split(',').next()?.trim();
        (!value.is_empty()).then(|| value.to_string())
    };
    update.version = field(", Version: ");
    update.size = field(", Size: ");
    update.action = field(", Action: ");
    if let Some(recommended) = field(", Recommended: ") {
        update.recommended = recommended.eq_ignore_ascii_case("YES");
    }
}

/// `TITLE (VERSION), SIZE [recommended] [restart]`.
fn apply_legacy_details(update: &mut MacUpdate, details: &str) {
    let (head, flags) =
        details.split_once(" [").map_or((details, ""), |(head, flags)| (head, flags));
    if let (Some(open), Some(close)) = (head.rfind('('), head.rfind(')')) {
        if open < close {
            update.version = Some(head[open + 1..close].to_string());
            update.title = head[..open].trim().trim_end_matches(',').to_string();
            let size = head[close + 1..].trim_matches(|c: char| c == ',' || c.is_whitespace());
            update.size = (!size.is_empty()).then(|| size.to_string());
        }
    }
    if update.title.is_empty() {
        update.title = head.trim().to_string();
    }
    update.recommended = flags.contains("recommended");
    update.action = ["restart", "shut down"]
        .iter()
        .find(|action| flags.contains(&format!("[{action}]")) || flags.starts_with(*action))
        .map(|action| (*action).to_string());
}

/// The updates as inventory entries; Apple does not mark security updates.
pub fn pending_updates(updates: &[MacUpdate]) -> Vec<PendingUpdate> {
    updates
        .iter()
        .map(|update| PendingUpdate {
            name: update.label.clone(),
            installed_version: None,
            candidate_version: update.version.clone().unwrap_or_default(),
            arch: None,
            origin: Some("softwareupdate".to_string()),
            security: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sw_vers_gives_id_version_and_codename() {
        let os = parse_sw_vers(
            "ProductName:\t\tmacOS\nProductVersion:\t\t13.4.1\nBuildVersion:\t\t22F82\n",
        );
        assert_eq!(os.id, "macos");
        assert_eq!(os.version_id, "13.4.1");
        assert_eq!(os.pretty_name, "macOS 13.4.1 (22F82)");
        assert_eq!(os.codename.as_deref(), Some("Ventura"));
    }

    #[test]
    fn titles_with_commas_survive() {
        let mut update = MacUpdate::default();
        apply_modern_details(
            &mut update,
            "Safari, the browser, Version: 17.6, Size: 1K, Recommended: YES, ",
        );
        assert_eq!(update.title, "Safari, the browser");
        assert_eq!(update.version.as_deref(), Some("17.6"));
        assert!(update.recommended);
    }
}
