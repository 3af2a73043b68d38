//! Ansible host patterns in inventory files: `host:port` and ranges.
//!
//! `www[01:50].example.com`, `db-[a:f].example.com` and
//! `www[01:50:2].example.com` expand exactly as Ansible expands them (a
//! leading zero pads to the width of the start; alphabetic ranges walk
//! ASCII letters; the end is inclusive), and a trailing `:5309` is the SSH
//! port. Bracketed IPv6 addresses (`[2001:db8::1]:22`) are told apart from
//! ranges by parsing the bracket's content as an address.

use std::net::Ipv6Addr;

/// A host entry's names after expansion, and the port it named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExpandedHosts {
    pub names: Vec<String>,
    pub port: Option<u16>,
}

/// Expands one host entry, or says what is wrong with it.
pub(crate) fn expand(pattern: &str) -> Result<ExpandedHosts, String> {
    let (host, port) = split_port(pattern)?;
    let names = expand_ranges(host)?;
    Ok(ExpandedHosts { names, port })
}

fn split_port(pattern: &str) -> Result<(&str, Option<u16>), String> {
    if let Some(rest) = pattern.strip_prefix('[') {
        if let Some((inside, after)) = rest.split_once(']') {
            if inside.parse::<Ipv6Addr>().is_ok() {
                return match after.strip_prefix(':') {
                    Some(port) => Ok((inside, Some(parse_port(port, pattern)?))),
                    None if after.is_empty() => Ok((inside, None)),
                    None => Err(format!("cannot parse host entry `{pattern}`")),
                };
            }
        }
    }

    let colons = colon_positions_outside_brackets(pattern);
    match colons.as_slice() {
        [at] => Ok((&pattern[..*at], Some(parse_port(&pattern[at + 1..], pattern)?))),
        _ => Ok((pattern, None)),
    }
}

fn colon_positions_outside_brackets(pattern: &str) -> Vec<usize> {
    let mut depth = 0_i32;
    let mut colons = Vec::new();
    for (index, character) in pattern.char_indices() {
        match character {
            '[' => depth += 1,
            ']' => depth -= 1,
            ':' if depth == 0 => colons.push(index),
            _ => {}
        }
    }
    colons
}

fn parse_port(port: &str, pattern: &str) -> Result<u16, String> {
    port.parse::<u16>()
        .ok()
        .filter(|port| *port != 0)
        .ok_or_else(|| format!("invalid port `{port}` in host entry `{pattern}`"))
}

/// Expands the first `[start:end[:step]]` and recurses into the rest.
fn expand_ranges(host: &str) -> Result<Vec<String>, String> {
    let Some((head, range, tail)) = split_first_range(host) else {
        return Ok(vec![host.to_string()]);
    };

    let items = range_items(range, host)?;
    let tails = expand_ranges(tail)?;
    let mut names = Vec::with_capacity(items.len() * tails.len());
    for item in &items {
        for rest in &tails {
            names.push(format!("{head}{item}{rest}"));
        }
    }
    Ok(names)
}

/// `head[range]tail`, when a bracket holds a `:` as Ansible's ranges do.
fn split_first_range(host: &str) -> Option<(&str, &str, &str)> {
    let open = host.find('[')?;
    let close = open + host[open..].find(']')?;
    let range = &host[open + 1..close];
    range.contains(':').then(|| (&host[..open], range, &host[close + 1..]))
}

fn range_items(range: &str, host: &str) -> Result<Vec<String>, String> {
    let parts: Vec<&str> = range.split(':').collect();
    let (begin, end, step) = match parts.as_slice() {
        [begin, end] => (*begin, *end, "1"),
        [begin, end, step] => (*begin, *end, *step),
        _ => {
            return Err(format!(
                "host range `[{range}]` in `{host}` must be `[start:end]` or `[start:end:step]`"
            ));
        }
    };
    let begin = if begin.is_empty() { "0" } else { begin };
    if end.is_empty() {
        return Err(format!("host range `[{range}]` in `{host}` must specify an end value"));
    }
    let step: usize = step.parse().ok().filter(|step| *step > 0).ok_or_else(|| {
        format!("host range `[{range}]` in `{host}` has an invalid step `{step}`")
    })?;

    if let (Some(first), Some(last)) = (single_letter(begin), single_letter(end)) {
        return letter_range(first, last, step, range, host);
    }
    number_range(begin, end, step, range, host)
}

/// The position of a one-letter bound in Python's `string.ascii_letters`.
fn single_letter(bound: &str) -> Option<usize> {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut characters = bound.chars();
    let letter = characters.next()?;
    characters.next().is_none().then(|| LETTERS.find(letter))?
}

fn letter_range(
    first: usize,
    last: usize,
    step: usize,
    range: &str,
    host: &str,
) -> Result<Vec<String>, String> {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if first > last {
        return Err(format!("host range `[{range}]` in `{host}` must have begin <= end"));
    }
    Ok(LETTERS[first..=last]
        .iter()
        .step_by(step)
        .map(|letter| char::from(*letter).to_string())
        .collect())
}

fn number_range(
    begin: &str,
    end: &str,
    step: usize,
    range: &str,
    host: &str,
) -> Result<Vec<String>, String> {
    let width = if begin.len() > 1 && begin.starts_with('0') {
        if begin.len() != end.len() {
            return Err(format!(
                "host range `[{range}]` in `{host}` must use equal-length begin and end"
            ));
        }
        begin.len()
    } else {
        0
    };

    let parse = |bound: &str| {
        bound.parse::<u64>().map_err(|_| {
            format!("host range `[{range}]` in `{host}`: `{bound}` is not a number or a letter")
        })
    };
    let (first, last) = (parse(begin)?, parse(end)?);
    if first > last {
        return Err(format!("host range `[{range}]` in `{host}` must have begin <= end"));
    }
    Ok((first..=last).step_by(step).map(|number| format!("{number:0width$}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(pattern: &str) -> Vec<String> {
        expand(pattern).expect("valid pattern").names
    }

    #[test]
    fn numeric_ranges_keep_leading_zeros_and_include_the_end() {
        let expanded = names("www[01:50].example.com");
        assert_eq!(expanded.len(), 50);
        assert_eq!(expanded[0], "www01.example.com");
        assert_eq!(expanded[49], "www50.example.com");
        assert_eq!(
            names("db-[99:101]-node.example.com"),
            ["db-99-node.example.com", "db-100-node.example.com", "db-101-node.example.com"]
        );
        assert_eq!(names("www[001:006].example.com")[5], "www006.example.com");
    }

    #[test]
    fn strides_and_letter_ranges_follow_ansible() {
        let stride = names("www[01:50:2].example.com");
        assert_eq!(stride.len(), 25);
        assert_eq!(
            (stride[0].as_str(), stride[24].as_str()),
            ("www01.example.com", "www49.example.com")
        );
        assert_eq!(names("db-[a:f].example.com").len(), 6);
        assert_eq!(names("h[a:c][1:2]"), ["ha1", "ha2", "hb1", "hb2", "hc1", "hc2"]);
    }

    #[test]
    fn ports_are_split_off_hosts_and_ipv6_literals() {
        assert_eq!(
            expand("badwolf.example.com:5309"),
            Ok(ExpandedHosts { names: vec!["badwolf.example.com".into()], port: Some(5309) })
        );
        assert_eq!(
            expand("[2001:db8::1]:2222").map(|e| (e.names, e.port)),
            Ok((vec!["2001:db8::1".into()], Some(2222)))
        );
        assert_eq!(expand("2001:db8::1").map(|e| e.port), Ok(None));
        assert_eq!(expand("web[1:3]:2200").map(|e| (e.names.len(), e.port)), Ok((3, Some(2200))));
    }

    #[test]
    fn malformed_ranges_are_errors() {
        assert!(expand("www[01:5].example.com").is_err());
        assert!(expand("www[5:1]").is_err());
        assert!(expand("www[1:]").is_err());
        assert!(expand("host:notaport").is_err());
    }
}
