//! Windows: installed hotfixes from `Get-HotFix` and pending updates from a
//! `Microsoft.Update.Session` search, both as PowerShell prints them.
//!
//! `Get-HotFix` is read as JSON (`ConvertTo-Json`, Windows PowerShell 5.1's
//! `\/Date(ms)\/` dates and PowerShell 7's ISO dates), or as the default
//! table or `Format-List` text when a script did not convert it. Update
//! searches are read as JSON objects carrying the `IUpdate` properties
//! (`Title`, `KBArticleIDs` or `KB`, `MsrcSeverity`, `Categories`,
//! `RebootRequired`); a single result may arrive as an object rather than
//! an array, as `ConvertTo-Json` does.
//!
// LIMITATION: there is no WinRM transport or Windows gather script yet;
// these parsers are what one will call. Table dates are read as en-US
// `M/d/yyyy`; other locales keep the date text as printed. Asking the
// host for JSON (`Get-HotFix | ConvertTo-Json`) avoids the locale.

use serde::Serialize;
use serde_json::Value;

use super::FactsError;
use crate::artifact::inventory::PendingUpdate;

/// One installed hotfix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HotFix {
    /// `KB5005565`.
    pub id: String,
    /// `Update`, `Security Update`, `Hotfix`…
    pub description: Option<String>,
    pub installed_by: Option<String>,
    /// `YYYY-MM-DD` where the date could be read, else the text as printed.
    pub installed_on: Option<String>,
}

/// One update a Windows Update search returned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WindowsUpdate {
    pub title: String,
    /// `KB4521858`, with the `KB` prefix whatever the source wrote.
    pub kb_articles: Vec<String>,
    pub update_id: Option<String>,
    /// `Critical`, `Important`, `Moderate`, `Low`; empty for non-security.
    pub msrc_severity: Option<String>,
    pub categories: Vec<String>,
    pub reboot_required: Option<bool>,
}

impl WindowsUpdate {
    /// Windows Update marks security fixes by category and MSRC severity.
    pub fn is_security(&self) -> bool {
        self.msrc_severity.is_some()
            || self.categories.iter().any(|category| category == "Security Updates")
    }
}

/// Parses `Get-HotFix` output: JSON when it starts with `[` or `{`, else
/// the default table or `Format-List` text.
pub fn parse_get_hotfix(text: &str) -> Result<Vec<HotFix>, FactsError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    let mut hotfixes = if text.starts_with(['[', '{']) {
        let value: Value = serde_json::from_str(text)
            .map_err(|source| FactsError::Json { what: "`Get-HotFix` JSON", source })?;
        objects(&value).filter_map(hotfix_from_json).collect()
    } else if text
        .lines()
        .any(|line| line.trim_start().starts_with("HotFixID") && line.contains(':'))
    {
        parse_list_records(text).iter().filter_map(|record| hotfix_from_record(record)).collect()
    } else {
        parse_hotfix_table(text)
    };
    hotfixes.sort_by(|a: &HotFix, b: &HotFix| a.id.cmp(&b.id));
    Ok(hotfixes)
}

/// The items of a JSON array, or the value itself when it is one object.
fn objects(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Array(items) => Box::new(items.iter()),
        other => Box::new(std::iter::once(other)),
    }
}

fn hotfix_from_json(item: &Value) -> Option<HotFix> {
    Some(HotFix {
        id: string_field(item, "HotFixID")?,
        description: string_field(item, "Description"),
        installed_by: string_field(item, "InstalledBy"),
        installed_on: item.get("InstalledOn").and_then(json_date),
    })
}

fn string_field(item: &Value, key: &str) -> Option<String> {
    let value = item.get(key)?.as_str()?.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// Dates as PowerShell serialises them: `"\/Date(1567807200000)\/"`, an
/// object whose `value` holds that, or an ISO 8601 string.
fn json_date(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.as_str(),
        Value::Object(fields) => fields.get("value").and_then(Value::as_str)?,
        _ => return None,
    };
    if let Some(millis) = text.strip_prefix("/Date(").and_then(|rest| rest.strip_suffix(")/")) {
        let millis: i64 = millis.split(['+', '-']).next()?.parse().ok()?;
        let timestamp = jiff::Timestamp::from_millisecond(millis).ok()?;
        return Some(timestamp.strftime("%Y-%m-%d").to_string());
    }
    Some(
        text.get(..10)
            .filter(|date| date.as_bytes().get(4) == Some(&b'-'))
            .unwrap_or(text)
            .to_string(),
    )
}

/// `M/d/yyyy[ time]` (en-US) as `YYYY-MM-DD`; anything else as printed.
fn us_date(text: &str) -> String {
    let date = text.split_whitespace().next().unwrap_or(text);
    let parts: Vec<u32> = date.split('/').filter_map(|part| part.parse().ok()).collect();
    match parts[..] {
        [month @ 1..=12, day @ 1..=31, year @ 1000..=9999] => {
            format!("{year:04}-{month:02}-{day:02}")
        }
        _ => text.to_string(),
    }
}

/// `Key : Value` records separated by blank lines, as `Format-List` prints.
fn parse_list_records(text: &str) -> Vec<Vec<(String, String)>> {
    let mut records = vec![Vec::new()];
    for line in text.lines() {
        if line.trim().is_empty() {
            records.push(Vec::new());
            continue;
        }
        let Some((key, value)) = line.split_once(" :").or_else(|| line.split_once(':')) else {
            continue;
        };
        if let Some(record) = records.last_mut() {
            record.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    records.retain(|record| !record.is_empty());
    records
}

fn hotfix_from_record(record: &[(String, String)]) -> Option<HotFix> {
    let field =
        |key: &str| record.iter().find(|(name, _)| name == key).map(|(_, value)| value.clone());
    let non_empty = |key: &str| field(key).filter(|value| !value.is_empty());
    Some(HotFix {
        id: non_empty("HotFixID")?,
        description: non_empty("Description"),
        installed_by: non_empty("InstalledBy"),
        installed_on: non_empty("InstalledOn").map(|date| us_date(&date)),
    })
}

/// The default table: a header, a dashed rule that gives each column's
/// start, and rows cut at those starts.
fn parse_hotfix_table(text: &str) -> Vec<HotFix> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(rule_index) = lines.iter().position(|line| line.trim_start().starts_with("---"))
    else {
        return vec![];
    };
    let Some(header) = rule_index.checked_sub(1).map(|index| lines[index]) else {
        return vec![];
    };
    let starts = column_starts(lines[rule_index]);
    let names: Vec<String> = cut(header, &starts);

    lines[rule_index + 1..]
        .iter()
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let cells = cut(line, &starts);
            let field = |key: &str| {
                let index = names.iter().position(|name| name == key)?;
                cells.get(index).filter(|cell| !cell.is_empty()).cloned()
            };
            Some(HotFix {
                id: field("HotFixID")?,
                description: field("Description"),
                installed_by: field("InstalledBy"),
                installed_on: field("InstalledOn").map(|date| us_date(&date)),
            })
        })
        .collect()
}

fn column_starts(rule: &str) -> Vec<usize> {
    let bytes = rule.as_bytes();
    (0..bytes.len())
        .filter(|&index| bytes[index] == b'-' && (index == 0 || bytes[index - 1] == b' '))
        .collect()
}

fn cut(line: &str, starts: &[usize]) -> Vec<String> {
    starts
        .iter()
        .enumerate()
        .map(|(index, &start)| {
            let end = starts.get(index + 1).copied().unwrap_or(line.len()).min(line.len());
            line.get(start.min(line.len())..end).unwrap_or_default().trim().to_string()
        })
        .collect()
}

/// Parses the JSON of a `Microsoft.Update.Session` search.
pub fn parse_update_search(text: &str) -> Result<Vec<WindowsUpdate>, FactsError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Ok(vec![]);
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|source| FactsError::Json { what: "Windows Update search JSON", source })?;
    Ok(objects(&value).filter_map(update_from_json).collect())
}

fn update_from_json(item: &Value) -> Option<WindowsUpdate> {
    let title = string_field(item, "Title")?;
    let kb_source = item.get("KBArticleIDs").or_else(|| item.get("KB"));
    let mut kb_articles: Vec<String> = kb_source.map(list_of_strings).unwrap_or_default();
    for kb in &mut kb_articles {
        if !kb.to_ascii_uppercase().starts_with("KB") {
            *kb = format!("KB{kb}");
        }
    }
    Some(WindowsUpdate {
        title,
        kb_articles,
        update_id: string_field(item, "ID").or_else(|| string_field(item, "UpdateID")),
        msrc_severity: string_field(item, "MsrcSeverity"),
        categories: item.get("Categories").map(list_of_strings).unwrap_or_default(),
        reboot_required: item.get("RebootRequired").and_then(Value::as_bool),
    })
}

/// A JSON array of strings, or one comma-joined string, as a list.
fn list_of_strings(value: &Value) -> Vec<String> {
    let items: Vec<String> = match value {
        Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
        other => scalar_text(other)
            .map(|text| text.split(',').map(str::to_string).collect())
            .unwrap_or_default(),
    };
    items.into_iter().map(|item| item.trim().to_string()).filter(|item| !item.is_empty()).collect()
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// The updates as inventory entries: named by their first KB article (the
/// title when there is none), with the title as the candidate, since
/// Windows updates carry no version of their own.
pub fn pending_updates(updates: &[WindowsUpdate]) -> Vec<PendingUpdate> {
    let mut pending: Vec<PendingUpdate> = updates
        .iter()
        .map(|update| PendingUpdate {
            name: update.kb_articles.first().cloned().unwrap_or_else(|| update.title.clone()),
            installed_version: None,
            candidate_version: update.title.clone(),
            arch: None,
            origin: Some("windows-update".to_string()),
            security: Some(update.is_security()),
        })
        .collect();
    pending.sort();
    pending
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powershell_five_dates_and_single_objects() {
        let text = r#"{"HotFixID": "KB4512578", "Description": "Security Update",
                      "InstalledOn": {"value": "\/Date(1567807200000)\/", "DateTime": "x"},
                      "InstalledBy": ""}"#;
        let hotfixes = parse_get_hotfix(text).unwrap();
        assert_eq!(hotfixes.len(), 1);
        assert_eq!(hotfixes[0].installed_on.as_deref(), Some("2019-09-06"));
        assert_eq!(hotfixes[0].installed_by, None);
    }

    #[test]
    fn update_search_kb_numbers_gain_their_prefix() {
        let text = r#"[{"Title": "t", "KBArticleIDs": ["5005565"], "MsrcSeverity": null,
                       "Categories": ["Security Updates", "Windows Server 2019"]}]"#;
        let updates = parse_update_search(text).unwrap();
        assert_eq!(updates[0].kb_articles, ["KB5005565"]);
        assert!(updates[0].is_security());
        assert!(parse_update_search("not json").is_err());
    }
}
