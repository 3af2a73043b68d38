//! `--limit`: selecting hosts with Ansible's host patterns.
//!
//! Sysadmins already know these from `ansible -l`, so they behave the same:
//! terms are separated by `,` (or, when there is no comma, by `:`); a term is
//! a host or group name, a glob over both (`web*`, `db-[ab]?`), a regular
//! expression over both (`~(web|db)[0-9]+`), or `all`/`*`;
//! `!term` excludes and `&term` intersects. Like Ansible, evaluation does not
//! depend on the order terms are written in: unions first, then
//! intersections, then exclusions (starting from all hosts when there is no
//! plain term). A subscript (`web[0]`, `web[1:3]`, `web[-1]`) picks hosts
//! of what its base matches, in name order; `h[1-3]` is a glob character
//! class, as Ansible no longer reads `[x-y]` as a subscript. Globs see the
//! implicit groups too, so `a*` matches `all` — as in Ansible.
//!
//! Where we differ, on purpose: a term that matches nothing is an error
//! naming it (Ansible only warns, and a typo in `!prod-db1` would silently
//! exclude nothing), and `web[1]` falls back to a glob (matching `web1`)
//! when `web` names no host or group, where Ansible matches nothing.

use std::collections::BTreeSet;
use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

use globset::GlobBuilder;
use regex::Regex;

use super::error::closest;
use super::host::Host;
use super::inventory::Inventory;

/// Why a limit could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("limit `{limit}` has no patterns")]
    Empty { limit: String },

    #[error("limit pattern `{pattern}` matches no host or group{}", did_you_mean(suggestion.as_deref()))]
    NoMatch { pattern: String, suggestion: Option<String> },

    #[error("limit `{limit}` selects no hosts")]
    NothingSelected { limit: String },

    #[error("limit pattern `{pattern}`: {message}")]
    Invalid { pattern: String, message: String },
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Operation {
    Union,
    Intersect,
    Exclude,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    operation: Operation,
    /// Without its `!` or `&`.
    pattern: String,
}

/// A parsed `--limit` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    text: String,
    terms: Vec<Term>,
}

impl Limit {
    pub fn parse(text: &str) -> Result<Self, LimitError> {
        let terms: Vec<Term> =
            split_terms(text).iter().map(|term| parse_term(term)).collect::<Result<_, _>>()?;
        if terms.is_empty() {
            return Err(LimitError::Empty { limit: text.to_string() });
        }
        Ok(Limit { text: text.to_string(), terms })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The selected hosts in name order.
    pub fn select<'a>(&self, inventory: &'a Inventory) -> Result<Vec<&'a Host>, LimitError> {
        let mut terms = self.terms.clone();
        terms.sort_by_key(|term| term.operation);

        let mut selected: Option<BTreeSet<&str>> = None;
        for term in &terms {
            let matched = matches(inventory, &term.pattern)?;
            let current = selected.take().unwrap_or_else(|| match term.operation {
                Operation::Union => BTreeSet::new(),
                _ => all_names(inventory),
            });
            selected = Some(match term.operation {
                Operation::Union => &current | &matched,
                Operation::Intersect => &current & &matched,
                Operation::Exclude => &current - &matched,
            });
        }

        let selected = selected.unwrap_or_default();
        if selected.is_empty() {
            return Err(LimitError::NothingSelected { limit: self.text.clone() });
        }
        Ok(inventory.hosts().filter(|host| selected.contains(host.name.as_str())).collect())
    }
}

impl FromStr for Limit {
    type Err = LimitError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Limit::parse(text)
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

/// Splits on `,` when there is one, otherwise on `:` and whitespace outside
/// brackets (so `web[1:3]` and an IPv6 address stay whole), as Ansible does.
fn split_terms(text: &str) -> Vec<String> {
    let text = text.trim();
    if text.contains(',') {
        return text
            .split(',')
            .map(str::trim)
            .filter(|term| !term.is_empty())
            .map(str::to_string)
            .collect();
    }
    if text.parse::<Ipv6Addr>().is_ok() {
        return vec![text.to_string()];
    }

    let mut terms = Vec::new();
    let mut current = String::new();
    let mut depth = 0_u32;
    for character in text.chars() {
        match character {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => {
                terms.push(std::mem::take(&mut current));
                continue;
            }
            c if c.is_whitespace() && depth == 0 => {
                terms.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    terms.push(current);
    terms.retain(|term| !term.is_empty());
    terms
}

fn parse_term(term: &str) -> Result<Term, LimitError> {
    let (operation, pattern) = match term.strip_prefix('!') {
        Some(rest) => (Operation::Exclude, rest),
        None => match term.strip_prefix('&') {
            Some(rest) => (Operation::Intersect, rest),
            None => (Operation::Union, term),
        },
    };

    if pattern.is_empty() {
        let message = "nothing follows the operator".to_string();
        return Err(LimitError::Invalid { pattern: term.to_string(), message });
    }
    if let Some(expression) = pattern.strip_prefix('~') {
        // Compiled here too, so a bad expression fails before any host is read.
        regex_matcher(expression)
            .map_err(|message| LimitError::Invalid { pattern: term.to_string(), message })?;
    }
    Ok(Term { operation, pattern: pattern.to_string() })
}

fn all_names(inventory: &Inventory) -> BTreeSet<&str> {
    inventory.hosts().map(|host| host.name.as_str()).collect()
}

/// Names of the hosts one term matches; an error when it matches nothing.
fn matches<'a>(inventory: &'a Inventory, pattern: &str) -> Result<BTreeSet<&'a str>, LimitError> {
    // A regular expression's brackets are its own, never a subscript.
    let subscript = if pattern.starts_with('~') { None } else { split_subscript(pattern) };
    let matched = match subscript {
        Some((base, subscript)) => {
            let base_hosts = plain_matches(inventory, base)?;
            if base_hosts.is_empty() {
                plain_matches(inventory, pattern)?
            } else {
                subscript.apply(&base_hosts).map_err(|message| LimitError::Invalid {
                    pattern: pattern.to_string(),
                    message,
                })?
            }
        }
        None => plain_matches(inventory, pattern)?,
    };

    if matched.is_empty() {
        return Err(LimitError::NoMatch {
            pattern: pattern.to_string(),
            suggestion: suggestion(inventory, pattern),
        });
    }
    Ok(matched)
}

fn plain_matches<'a>(
    inventory: &'a Inventory,
    pattern: &str,
) -> Result<BTreeSet<&'a str>, LimitError> {
    if pattern == "all" || pattern == "*" {
        return Ok(all_names(inventory));
    }

    let is_match = name_matcher(pattern)?;
    let groups: Vec<&str> = group_names(inventory).filter(|group| is_match(group)).collect();
    Ok(inventory
        .hosts()
        .filter(|host| is_match(&host.name) || groups.iter().any(|group| host.is_member_of(group)))
        .map(|host| host.name.as_str())
        .collect())
}

/// Declared groups plus the implicit `all` and `ungrouped`, which Ansible's
/// globs also see.
fn group_names(inventory: &Inventory) -> impl Iterator<Item = &str> {
    ["all", "ungrouped"].into_iter().chain(inventory.groups().keys().map(String::as_str))
}

/// Whether a host or group name matches one term.
type NameMatcher<'a> = Box<dyn Fn(&str) -> bool + 'a>;

fn name_matcher(pattern: &str) -> Result<NameMatcher<'_>, LimitError> {
    if let Some(expression) = pattern.strip_prefix('~') {
        let regex = regex_matcher(expression)
            .map_err(|message| LimitError::Invalid { pattern: pattern.to_string(), message })?;
        // The leftmost match starts at 0 exactly when some match does.
        return Ok(Box::new(move |name: &str| regex.find(name).is_some_and(|m| m.start() == 0)));
    }
    if !pattern.contains(['*', '?', '[']) {
        return Ok(Box::new(move |name: &str| name == pattern));
    }

    let glob = GlobBuilder::new(pattern)
        .literal_separator(false)
        .backslash_escape(true)
        .build()
        .map_err(|error| LimitError::Invalid {
            pattern: pattern.to_string(),
            message: error.kind().to_string(),
        })?
        .compile_matcher();
    Ok(Box::new(move |name: &str| glob.is_match(name)))
}

/// `~EXPRESSION`, matched as Ansible does with Python's `re.match`: anchored
/// at the start of the name only, so `~web` matches `web1` and `~web$`
/// matches only `web`. The expression is compiled as written and the
/// anchoring done by the caller, not by wrapping it in `^(?:…)`, which an
/// expression such as `web)|(db` would break out of. Rust's regex syntax is
/// Python's for everything host patterns use; look-around and
/// back-references are refused.
fn regex_matcher(expression: &str) -> Result<Regex, String> {
    Regex::new(expression).map_err(|error| match error {
        // The last line of the parser's message says what is wrong; the
        // lines above repeat the expression with a caret under the fault.
        regex::Error::Syntax(message) => {
            let last = message.lines().last().unwrap_or_default();
            last.strip_prefix("error: ").unwrap_or(last).to_string()
        }
        other => other.to_string(),
    })
}

fn suggestion(inventory: &Inventory, pattern: &str) -> Option<String> {
    let names = inventory.hosts().map(|host| host.name.as_str()).chain(group_names(inventory));
    closest(pattern, names).map(str::to_string)
}

/// `[3]`, `[-1]`, `[1:3]` or `[2:]`: Ansible's subscripts, with inclusive
/// ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subscript {
    Index(i64),
    Range { start: usize, end: Option<usize> },
}

fn split_subscript(pattern: &str) -> Option<(&str, Subscript)> {
    let inner = pattern.strip_suffix(']')?;
    let open = inner.rfind('[')?;
    let (base, range) = (&inner[..open], &inner[open + 1..]);
    if base.is_empty() {
        return None;
    }

    if let Ok(index) = range.parse::<i64>() {
        return Some((base, Subscript::Index(index)));
    }
    let (start, end) = range.split_once(':')?;
    let start = start.parse().ok()?;
    let end = if end.is_empty() { None } else { Some(end.parse().ok()?) };
    Some((base, Subscript::Range { start, end }))
}

impl Subscript {
    fn apply<'a>(self, hosts: &BTreeSet<&'a str>) -> Result<BTreeSet<&'a str>, String> {
        let ordered: Vec<&str> = hosts.iter().copied().collect();
        let count = ordered.len();
        match self {
            Subscript::Index(index) => {
                let position = if index < 0 {
                    i64::try_from(count).ok().map(|count| count + index)
                } else {
                    Some(index)
                };
                position
                    .and_then(|position| usize::try_from(position).ok())
                    .and_then(|position| ordered.get(position).copied())
                    .map(|host| BTreeSet::from([host]))
                    .ok_or_else(|| format!("index {index} is out of range for {count} hosts"))
            }
            Subscript::Range { start, end } => {
                let end = end.map_or(count, |end| (end + 1).min(count));
                Ok(ordered.get(start..end).unwrap_or_default().iter().copied().collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::fleet::toml_file;

    const HOSTS: &str = r#"
[hosts.web1]
[hosts.web2]
[hosts.web3]
[hosts.db1]
[hosts.db2]
[hosts.h1]
[hosts.h2]
[hosts.h3]
[hosts.h4]
[groups.webservers]
hosts = ["web1", "web2", "web3"]
[groups.dbservers]
hosts = ["db1", "db2"]
[groups.production]
hosts = ["web1", "db1", "h3", "h4"]
[groups.staging]
hosts = ["web2", "db2"]
"#;

    fn inventory() -> Inventory {
        toml_file::parse(HOSTS, Path::new("hosts.toml")).expect("valid hosts")
    }

    fn select(limit: &str) -> Result<Vec<String>, LimitError> {
        let inventory = inventory();
        let limit = Limit::parse(limit)?;
        Ok(limit.select(&inventory)?.into_iter().map(|host| host.name.clone()).collect())
    }

    fn names(limit: &str) -> Vec<String> {
        select(limit).unwrap_or_else(|error| panic!("{limit}: {error}"))
    }

    #[test]
    fn names_groups_and_all() {
        assert_eq!(names("web1"), ["web1"]);
        assert_eq!(names("dbservers"), ["db1", "db2"]);
        assert_eq!(names("all").len(), 9);
        assert_eq!(names("*").len(), 9);
    }

    /// Checked against `ansible --list-hosts` 2.14: globs also match the
    /// implicit `all` group.
    #[test]
    fn globs_matching_the_implicit_all_group_select_everything_as_in_ansible() {
        assert_eq!(names("a*").len(), 9);
    }

    #[test]
    fn globs_over_hosts_and_groups() {
        assert_eq!(names("web*"), ["web1", "web2", "web3"]);
        assert_eq!(names("h[1-3]"), ["h1", "h2", "h3"]);
        assert_eq!(names("db?"), ["db1", "db2"]);
        assert_eq!(names("*servers"), ["db1", "db2", "web1", "web2", "web3"]);
    }

    #[test]
    fn exclusion_and_intersection_with_both_separators() {
        assert_eq!(names("webservers:!web2"), ["web1", "web3"]);
        assert_eq!(names("webservers,dbservers,&production"), ["db1", "web1"]);
        assert_eq!(names("!production"), ["db2", "h1", "h2", "web2", "web3"]);
        assert_eq!(names("&staging"), ["db2", "web2"]);
    }

    #[test]
    fn evaluation_ignores_the_order_terms_are_written_in() {
        assert_eq!(names("!web2:webservers"), names("webservers:!web2"));
        assert_eq!(names("&production:webservers:dbservers"), ["db1", "web1"]);
    }

    #[test]
    fn subscripts_pick_by_position_in_name_order() {
        assert_eq!(names("webservers[0]"), ["web1"]);
        assert_eq!(names("webservers[-1]"), ["web3"]);
        assert_eq!(names("webservers[1:2]"), ["web2", "web3"]);
        assert_eq!(names("webservers[1:]"), ["web2", "web3"]);
        assert_eq!(names("web[1]"), ["web1"], "no `web` group: a glob");
        assert!(matches!(select("webservers[7]"), Err(LimitError::Invalid { .. })));
    }

    /// Each expectation was checked against `ansible -i <this inventory as
    /// INI> --list-hosts PATTERN` (ansible-core 2.14): `~` is Python's
    /// `re.match`, anchored at the start of host and group names only.
    #[test]
    fn regular_expressions_match_names_from_their_start_as_in_ansible() {
        assert_eq!(names("~web"), ["web1", "web2", "web3"]);
        assert_eq!(names("~web[12]"), ["web1", "web2"], "brackets are the expression's");
        assert_eq!(names("~(web|db)1"), ["db1", "web1"]);
        assert_eq!(names("~.*servers"), ["db1", "db2", "web1", "web2", "web3"]);
        assert_eq!(names("~h[0-9]$"), ["h1", "h2", "h3", "h4"]);
        assert_eq!(names("webservers:!~web[13]"), ["web2"]);
        assert_eq!(names("~db,&production"), ["db1"]);
        assert_eq!(names("~a").len(), 9, "`all` matches too");
        assert!(matches!(select("~[0-9]$"), Err(LimitError::NoMatch { .. })), "not a search");
        assert!(matches!(select("~eb"), Err(LimitError::NoMatch { .. })));
        assert!(matches!(select("~DB"), Err(LimitError::NoMatch { .. })), "case matters");
        assert_eq!(names("~b1|h4"), ["h4"], "each branch anchored");
    }

    #[test]
    fn a_malformed_regular_expression_is_refused_before_any_host_is_read() {
        let error = Limit::parse("webservers:~web(").expect_err("unclosed group");
        let message = error.to_string();
        assert_eq!(message, "limit pattern `~web(`: unclosed group");
        assert!(matches!(Limit::parse("~(?<=web)1"), Err(LimitError::Invalid { .. })));
        assert!(
            matches!(Limit::parse("~web)|(db"), Err(LimitError::Invalid { .. })),
            "ansible matches nothing with it; wrapped in ^(?:…) it would match `db` anywhere"
        );
    }

    #[test]
    fn a_term_matching_nothing_is_an_error_naming_it() {
        let error = select("webservers:!web9").expect_err("no web9");
        assert_eq!(
            error.to_string(),
            "limit pattern `web9` matches no host or group; did you mean `web1`?"
        );
        let error = select("prodution").expect_err("typo");
        assert_eq!(
            error.to_string(),
            "limit pattern `prodution` matches no host or group; did you mean `production`?"
        );
        let error = select("web1:&dbservers").expect_err("empty result");
        assert_eq!(error.to_string(), "limit `web1:&dbservers` selects no hosts");
    }

    #[test]
    fn malformed_limits_are_refused() {
        assert!(matches!(Limit::parse(" , "), Err(LimitError::Empty { .. })));
        assert!(matches!(Limit::parse("web:!"), Err(LimitError::Invalid { .. })));
    }

    #[test]
    fn splitting_keeps_brackets_and_ipv6_whole() {
        assert_eq!(split_terms("web[1:3]:db*"), ["web[1:3]", "db*"]);
        assert_eq!(split_terms("2001:db8::1"), ["2001:db8::1"]);
        assert_eq!(split_terms("a, b ,c"), ["a", "b", "c"]);
        assert_eq!(split_terms("a b:c"), ["a", "b", "c"]);
    }
}
