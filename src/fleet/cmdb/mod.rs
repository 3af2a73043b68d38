//! CMDB exports: loading a CSV or JSON export and mapping its columns.
//!
//! Every CMDB names its columns differently (`name`, `hostname`, `fqdn`;
//! `ip_address`, `ip`; `managed_by`, `owner`…), so each field we compare has
//! a list of common column names tried in order, and `--cmdb-map
//! field=column` names the column outright. Fields: `name` (required),
//! `address`, `os`, `os_version` (appended to `os`, as `ServiceNow` splits
//! them), `owner`, `environment`. Column names match case-insensitively,
//! with spaces and dashes read as underscores.
//!
//! A CSV export is an error as soon as a row is malformed (the error names
//! file, line and column), because a silently skipped row would later show
//! up as a false "reachable but missing from the CMDB". JSON exports are an
//! array of objects, or an object wrapping one (`records`, `result`,
//! `items`, `data`); `ServiceNow`'s `{display_value, value}` cells are read as
//! their display value.

mod os_name;
mod reconcile;

use std::path::{Path, PathBuf};

use super::error::closest;

pub use reconcile::reconcile;

/// A field of an export row that reconciliation compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CmdbField {
    Name,
    Address,
    Os,
    OsVersion,
    Owner,
    Environment,
}

impl CmdbField {
    const ALL: [CmdbField; 6] = [
        CmdbField::Name,
        CmdbField::Address,
        CmdbField::Os,
        CmdbField::OsVersion,
        CmdbField::Owner,
        CmdbField::Environment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CmdbField::Name => "name",
            CmdbField::Address => "address",
            CmdbField::Os => "os",
            CmdbField::OsVersion => "os_version",
            CmdbField::Owner => "owner",
            CmdbField::Environment => "environment",
        }
    }

    /// Column names tried, in order, when the mapping names none.
    fn default_columns(self) -> &'static [&'static str] {
        match self {
            CmdbField::Name => &[
                "name",
                "hostname",
                "host_name",
                "host",
                "fqdn",
                "server_name",
                "ci_name",
                "computer_name",
            ],
            CmdbField::Address => {
                &["address", "ip_address", "ip", "ipaddress", "primary_ip", "ipv4", "ipv4_address"]
            }
            CmdbField::Os => &["os", "operating_system", "os_name", "platform"],
            CmdbField::OsVersion => &["os_version", "operating_system_version"],
            CmdbField::Owner => &["owner", "managed_by", "owned_by", "support_group", "team"],
            CmdbField::Environment => &["environment", "env", "used_for", "stage"],
        }
    }
}

/// Why an export could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CmdbError {
    #[error("cannot read CMDB export `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}:{line}: column {column}{}: {message}", path.display(), column_label(column_name.as_deref()))]
    Csv { path: PathBuf, line: u64, column: usize, column_name: Option<String>, message: String },

    #[error("{}:{line}:{column}: {message}", path.display())]
    Json { path: PathBuf, line: usize, column: usize, message: String },

    /// A JSON element is unusable; `entry` is its path, e.g. `[3].name`.
    #[error("{}: {entry}: {message}", path.display())]
    JsonEntry { path: PathBuf, entry: String, message: String },

    #[error("CMDB mapping `{mapping}`: {message}{}", did_you_mean(suggestion.as_deref()))]
    Mapping { mapping: String, message: String, suggestion: Option<String> },

    #[error("{}: {message}{}", path.display(), did_you_mean(suggestion.as_deref()))]
    Column { path: PathBuf, message: String, suggestion: Option<String> },
}

fn column_label(name: Option<&str>) -> String {
    name.map(|name| format!(" (`{name}`)")).unwrap_or_default()
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
}

/// Which export column holds which field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CmdbMapping {
    explicit: Vec<(CmdbField, String)>,
}

impl CmdbMapping {
    /// Parses `field=column` pairs as given to `--cmdb-map`.
    pub fn parse<S: AsRef<str>>(pairs: &[S]) -> Result<Self, CmdbError> {
        let mut explicit: Vec<(CmdbField, String)> = Vec::new();
        for pair in pairs {
            let pair = pair.as_ref();
            let error = |message: String, suggestion: Option<String>| CmdbError::Mapping {
                mapping: pair.to_string(),
                message,
                suggestion,
            };

            let Some((field, column)) = pair.split_once('=') else {
                return Err(error("expected `field=column`".to_string(), None));
            };
            let (field, column) = (field.trim(), column.trim());
            let Some(parsed) = CmdbField::ALL.into_iter().find(|known| known.as_str() == field)
            else {
                let names = CmdbField::ALL.map(CmdbField::as_str);
                let message =
                    format!("unknown field `{field}`; fields are `{}`", names.join("`, `"));
                return Err(error(message, closest(field, names).map(str::to_string)));
            };
            if column.is_empty() {
                return Err(error("the column name is empty".to_string(), None));
            }
            explicit.retain(|(known, _)| *known != parsed);
            explicit.push((parsed, column.to_string()));
        }
        Ok(CmdbMapping { explicit })
    }

    /// Index of each field's column among `headers`.
    fn resolve(&self, headers: &[String], path: &Path) -> Result<Columns, CmdbError> {
        let normalised: Vec<String> =
            headers.iter().map(|header| normalise_header(header)).collect();
        let position =
            |name: &str| normalised.iter().position(|header| *header == normalise_header(name));

        let mut columns = Columns::default();
        for field in CmdbField::ALL {
            let explicit = self.explicit.iter().find(|(known, _)| *known == field);
            let index = match explicit {
                Some((_, column)) => Some(
                    position(column).ok_or_else(|| missing_column(path, field, column, headers))?,
                ),
                None => field.default_columns().iter().find_map(|name| position(name)),
            };
            columns.set(field, index);
        }

        if columns.name.is_none() {
            let tried = CmdbField::Name.default_columns().join("`, `");
            let message = format!(
                "no host name column (tried `{tried}`); name it with `--cmdb-map name=COLUMN`"
            );
            return Err(CmdbError::Column { path: path.to_path_buf(), message, suggestion: None });
        }
        Ok(columns)
    }
}

fn missing_column(path: &Path, field: CmdbField, column: &str, headers: &[String]) -> CmdbError {
    let message = format!(
        "column `{column}` (mapped to `{}`) is not in the export; its columns are `{}`",
        field.as_str(),
        headers.join("`, `")
    );
    let suggestion = closest(column, headers.iter().map(String::as_str)).map(str::to_string);
    CmdbError::Column { path: path.to_path_buf(), message, suggestion }
}

fn normalise_header(header: &str) -> String {
    header.trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

#[derive(Debug, Default, Clone, Copy)]
struct Columns {
    name: Option<usize>,
    address: Option<usize>,
    os: Option<usize>,
    os_version: Option<usize>,
    owner: Option<usize>,
    environment: Option<usize>,
}

impl Columns {
    fn set(&mut self, field: CmdbField, index: Option<usize>) {
        match field {
            CmdbField::Name => self.name = index,
            CmdbField::Address => self.address = index,
            CmdbField::Os => self.os = index,
            CmdbField::OsVersion => self.os_version = index,
            CmdbField::Owner => self.owner = index,
            CmdbField::Environment => self.environment = index,
        }
    }
}

/// One host as the CMDB records it; empty cells are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdbEntry {
    pub name: String,
    pub address: Option<String>,
    /// OS, with `os_version` appended when that is a separate column.
    pub os: Option<String>,
    pub owner: Option<String>,
    pub environment: Option<String>,
    /// Where the entry is, e.g. `export.csv:7` or `export.json: [3]`.
    pub origin: String,
}

/// A loaded CMDB export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmdb {
    path: PathBuf,
    entries: Vec<CmdbEntry>,
}

impl Cmdb {
    /// Reads an export: JSON when the extension says so or the content
    /// starts with `[` or `{`, CSV otherwise.
    pub fn load(path: &Path, mapping: &CmdbMapping) -> Result<Self, CmdbError> {
        let bytes = std::fs::read(path)
            .map_err(|source| CmdbError::Read { path: path.to_path_buf(), source })?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);

        let is_json =
            path.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
                || bytes
                    .iter()
                    .find(|byte| !byte.is_ascii_whitespace())
                    .is_some_and(|byte| matches!(byte, b'[' | b'{'));
        if is_json {
            Cmdb::parse_json(bytes, path, mapping)
        } else {
            Cmdb::parse_csv(bytes, path, mapping)
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> &[CmdbEntry] {
        &self.entries
    }

    /// Parses CSV (comma, semicolon or tab separated, detected from the
    /// header line); `path` is used in messages.
    pub fn parse_csv(bytes: &[u8], path: &Path, mapping: &CmdbMapping) -> Result<Self, CmdbError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(detect_delimiter(bytes))
            .trim(csv::Trim::All)
            .from_reader(bytes);

        let headers: Vec<String> = reader
            .headers()
            .map_err(|error| csv_error(path, &error, &[]))?
            .iter()
            .map(str::to_string)
            .collect();
        let columns = mapping.resolve(&headers, path)?;

        let mut entries = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|error| csv_error(path, &error, &headers))?;
            let line = record.position().map_or(0, csv::Position::line);
            let cell = |index: Option<usize>| {
                index.and_then(|index| record.get(index)).map(str::to_string)
            };
            let origin = format!("{}:{line}", path.display());

            let entry = entry_from_cells(&cell, columns, origin).map_err(|message| {
                let column = columns.name.unwrap_or_default();
                CmdbError::Csv {
                    path: path.to_path_buf(),
                    line,
                    column: column + 1,
                    column_name: headers.get(column).cloned(),
                    message,
                }
            })?;
            entries.push(entry);
        }
        Ok(Cmdb { path: path.to_path_buf(), entries })
    }

    /// Parses a JSON export; `path` is used in messages.
    pub fn parse_json(bytes: &[u8], path: &Path, mapping: &CmdbMapping) -> Result<Self, CmdbError> {
        let document: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|error| CmdbError::Json {
                path: path.to_path_buf(),
                line: error.line(),
                column: error.column(),
                message: error.to_string(),
            })?;
        let rows = json_rows(&document, path)?;

        let mut headers: Vec<String> = Vec::new();
        for row in &rows {
            for key in row.keys() {
                if !headers.contains(key) {
                    headers.push(key.clone());
                }
            }
        }
        let columns = mapping.resolve(&headers, path)?;

        let mut entries = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            let entry_error = |entry: String, message: String| CmdbError::JsonEntry {
                path: path.to_path_buf(),
                entry,
                message,
            };
            let mut cells = Vec::with_capacity(headers.len());
            for header in &headers {
                let value = row
                    .get(header)
                    .map(json_cell)
                    .transpose()
                    .map_err(|message| entry_error(format!("[{index}].{header}"), message))?;
                cells.push(value.flatten());
            }

            let cell = |column: Option<usize>| column.and_then(|column| cells[column].clone());
            let origin = format!("{}: [{index}]", path.display());
            let name_column = columns.name.map_or("name", |column| headers[column].as_str());
            let entry = entry_from_cells(&cell, columns, origin)
                .map_err(|message| entry_error(format!("[{index}].{name_column}"), message))?;
            entries.push(entry);
        }
        Ok(Cmdb { path: path.to_path_buf(), entries })
    }
}

fn entry_from_cells(
    cell: &dyn Fn(Option<usize>) -> Option<String>,
    columns: Columns,
    origin: String,
) -> Result<CmdbEntry, String> {
    let present = |index: Option<usize>| {
        cell(index).map(|text| text.trim().to_string()).filter(|text| !text.is_empty())
    };

    let name = present(columns.name).ok_or_else(|| "the host name is empty".to_string())?;
    let os = match (present(columns.os), present(columns.os_version)) {
        (Some(os), Some(version)) if !os.contains(&version) => Some(format!("{os} {version}")),
        (os, version) => os.or(version),
    };
    Ok(CmdbEntry {
        name,
        address: present(columns.address),
        os,
        owner: present(columns.owner),
        environment: present(columns.environment),
        origin,
    })
}

/// `,` unless the header line has more `;` or tabs (spreadsheet exports in
/// many locales use `;`).
#[expect(clippy::naive_bytecount, reason = "one header line is not worth the bytecount crate")]
fn detect_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|byte| *byte == b'\n').next().unwrap_or_default();
    let count = |wanted: u8| header.iter().filter(|byte| **byte == wanted).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|delimiter| (count(*delimiter), *delimiter == b','))
        .unwrap_or(b',')
}

fn csv_error(path: &Path, error: &csv::Error, headers: &[String]) -> CmdbError {
    let line = error.position().map_or(0, csv::Position::line);
    let (column, message) = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            let column = usize::try_from((*len).min(*expected_len)).unwrap_or(0) + 1;
            (column, format!("row has {len} fields but the header has {expected_len}"))
        }
        csv::ErrorKind::Utf8 { err, .. } => {
            (err.field() + 1, format!("not valid UTF-8 after byte {}", err.valid_up_to()))
        }
        _ => (1, error.to_string()),
    };
    let column_name = headers.get(column - 1).cloned();
    CmdbError::Csv { path: path.to_path_buf(), line, column, column_name, message }
}

fn json_rows<'a>(
    document: &'a serde_json::Value,
    path: &Path,
) -> Result<Vec<&'a serde_json::Map<String, serde_json::Value>>, CmdbError> {
    let rows = match document {
        serde_json::Value::Array(rows) => rows,
        serde_json::Value::Object(wrapper) => ["records", "result", "items", "data"]
            .iter()
            .find_map(|key| wrapper.get(*key).and_then(serde_json::Value::as_array))
            .ok_or_else(|| CmdbError::JsonEntry {
                path: path.to_path_buf(),
                entry: "$".to_string(),
                message: "expected an array of objects, or an object with `records`, `result`, `items` or `data`".to_string(),
            })?,
        _ => {
            let message = "expected an array of objects".to_string();
            return Err(CmdbError::JsonEntry { path: path.to_path_buf(), entry: "$".to_string(), message });
        }
    };

    rows.iter()
        .enumerate()
        .map(|(index, row)| {
            row.as_object().ok_or_else(|| CmdbError::JsonEntry {
                path: path.to_path_buf(),
                entry: format!("[{index}]"),
                message: "expected an object".to_string(),
            })
        })
        .collect()
}

/// Text of one JSON cell; `None` for null.
fn json_cell(value: &serde_json::Value) -> Result<Option<String>, String> {
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(text) => Ok(Some(text.clone())),
        serde_json::Value::Number(number) => Ok(Some(number.to_string())),
        serde_json::Value::Bool(flag) => Ok(Some(flag.to_string())),
        serde_json::Value::Object(object) => match object.get("display_value") {
            Some(inner) => json_cell(inner),
            None => Err("expected text, found an object".to_string()),
        },
        serde_json::Value::Array(items) => {
            let texts: Result<Vec<Option<String>>, String> = items.iter().map(json_cell).collect();
            Ok(Some(texts?.into_iter().flatten().collect::<Vec<_>>().join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str, mapping: &[&str]) -> Result<Cmdb, CmdbError> {
        let mapping = CmdbMapping::parse(mapping)?;
        Cmdb::parse_csv(text.as_bytes(), Path::new("export.csv"), &mapping)
    }

    fn json(text: &str) -> Result<Cmdb, CmdbError> {
        Cmdb::parse_json(text.as_bytes(), Path::new("export.json"), &CmdbMapping::default())
    }

    #[test]
    fn default_columns_are_found_in_common_exports() {
        let cmdb = csv("Host Name,IP Address,Operating System,OS Version,Managed By,Environment\nweb1,10.0.0.1,Debian,12,team-web,Production\n", &[]).expect("valid");
        let entry = &cmdb.entries()[0];
        assert_eq!(entry.name, "web1");
        assert_eq!(entry.address.as_deref(), Some("10.0.0.1"));
        assert_eq!(entry.os.as_deref(), Some("Debian 12"));
        assert_eq!(entry.owner.as_deref(), Some("team-web"));
        assert_eq!(entry.environment.as_deref(), Some("Production"));
        assert_eq!(entry.origin, "export.csv:2");
    }

    #[test]
    fn an_explicit_mapping_wins_and_semicolons_are_detected() {
        let cmdb =
            csv("ci;addr;team\nweb1;10.0.0.1;ops\n", &["name=ci", "address=addr", "owner=team"])
                .expect("valid");
        assert_eq!(cmdb.entries()[0].owner.as_deref(), Some("ops"));
        assert_eq!(cmdb.entries()[0].address.as_deref(), Some("10.0.0.1"));
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let error =
            csv("name,ip,owner\nweb1,10.0.0.1,ops\nweb2,10.0.0.2\n", &[]).expect_err("short row");
        assert_eq!(
            error.to_string(),
            "export.csv:3: column 3 (`owner`): row has 2 fields but the header has 3"
        );

        let error = csv("name,ip\n ,10.0.0.1\n", &[]).expect_err("empty name");
        assert_eq!(error.to_string(), "export.csv:2: column 1 (`name`): the host name is empty");

        let bytes = b"name,owner\nweb1,caf\xe9\n";
        let error = Cmdb::parse_csv(bytes, Path::new("export.csv"), &CmdbMapping::default())
            .expect_err("latin-1");
        assert!(
            error.to_string().starts_with("export.csv:2: column 2 (`owner`): not valid UTF-8"),
            "{error}"
        );
    }

    #[test]
    fn mapping_mistakes_are_reported_with_suggestions() {
        let error = CmdbMapping::parse(&["nmae=host"]).expect_err("typo");
        assert_eq!(
            error.to_string(),
            "CMDB mapping `nmae=host`: unknown field `nmae`; fields are `name`, `address`, `os`, `os_version`, `owner`, `environment`; did you mean `name`?"
        );
        let error = csv("hostname,ip\nweb1,1\n", &["name=hostnme"]).expect_err("missing column");
        assert!(error.to_string().ends_with("did you mean `hostname`?"), "{error}");
        let error = csv("ci,ip\nweb1,1\n", &[]).expect_err("no name column");
        assert!(error.to_string().contains("no host name column"), "{error}");
    }

    #[test]
    fn json_exports_as_arrays_or_wrapped_with_display_values() {
        let cmdb = json(r#"[{"name": "web1", "ip_address": "10.0.0.1", "os": null}, {"name": "db1", "env": "prod"}]"#).expect("valid");
        assert_eq!(cmdb.entries().len(), 2);
        assert_eq!(cmdb.entries()[0].os, None);
        assert_eq!(cmdb.entries()[1].environment.as_deref(), Some("prod"));

        let wrapped = json(r#"{"result": [{"name": {"display_value": "web1", "value": "abc123"}, "managed_by": {"display_value": "Team Web"}}]}"#).expect("valid");
        assert_eq!(wrapped.entries()[0].name, "web1");
        assert_eq!(wrapped.entries()[0].owner.as_deref(), Some("Team Web"));
    }

    #[test]
    fn json_errors_name_the_position_or_the_entry() {
        let error = json("[{\"name\": \"web1\",}]").expect_err("trailing comma");
        assert!(error.to_string().starts_with("export.json:1:"), "{error}");
        let error = json(r#"[{"name": "web1"}, 7]"#).expect_err("not an object");
        assert_eq!(error.to_string(), "export.json: [1]: expected an object");
        let error = json(r#"[{"name": "web1"}, {"name": ""}]"#).expect_err("empty");
        assert_eq!(error.to_string(), "export.json: [1].name: the host name is empty");
    }
}
