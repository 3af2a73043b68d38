//! Host-key verification against OpenSSH `known_hosts` files.
//!
//! libssh2's own check is not safe enough to rely on: it ignores `@revoked`
//! (a revoked key still matches), has no wildcards, lets a port-less entry
//! match any port and stops at the first malformed line. So we parse the
//! files ourselves (the `ssh-key` crate reads markers and hashed names) and
//! compare the raw key blob the server presented.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use ssh_key::known_hosts::{Entry, HostPatterns, Marker};
use ssh_key::{HashAlg, PublicKey};

/// What the `known_hosts` files say about a presented key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A non-revoked entry for this host holds exactly this key.
    Trusted,
    /// The key is listed under `@revoked`.
    Revoked,
    /// The host is known, but with other keys.
    Changed,
    /// No entry names this host.
    Unknown,
}

/// How unknown hosts are treated; changed and revoked keys are always refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKeyPolicy {
    Strict,
    AcceptNew,
}

/// The parsed contents of one or more `known_hosts` files.
#[derive(Debug, Default)]
pub struct KnownHosts {
    entries: Vec<Entry>,
    /// Lines that could not be parsed, as `path:line`, for a warning.
    pub skipped_lines: Vec<String>,
}

impl KnownHosts {
    /// Reads every file that exists; missing files are simply empty.
    pub fn load(paths: &[PathBuf]) -> std::io::Result<Self> {
        let mut known = KnownHosts::default();
        for path in paths {
            match std::fs::read_to_string(path) {
                Ok(text) => known.add_text(&text, path),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
        }
        Ok(known)
    }

    fn add_text(&mut self, text: &str, path: &Path) {
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.parse::<Entry>() {
                Ok(entry) => self.entries.push(entry),
                Err(_) => self.skipped_lines.push(format!("{}:{}", path.display(), index + 1)),
            }
        }
    }

    /// Checks `key_blob` (the server's key in SSH wire encoding) for a host
    /// reached as `names` (name and address) on `port`.
    pub fn verify(&self, names: &[&str], port: u16, key_blob: &[u8]) -> Verdict {
        let lookups: Vec<String> = names.iter().map(|name| lookup_name(name, port)).collect();
        let mut host_known = false;

        for entry in &self.entries {
            let same_key = entry.public_key().to_bytes().is_ok_and(|bytes| bytes == key_blob);
            match entry.marker() {
                // A revoked key is refused whatever host it is presented for.
                Some(Marker::Revoked) if same_key => return Verdict::Revoked,
                Some(_) => continue,
                None => {}
            }
            if lookups.iter().any(|name| patterns_match(entry.host_patterns(), name)) {
                if same_key {
                    return Verdict::Trusted;
                }
                host_known = true;
            }
        }

        if host_known { Verdict::Changed } else { Verdict::Unknown }
    }

    /// Key algorithms recorded for the host, so the handshake can prefer them
    /// (as OpenSSH does) and not trip over a second key type the server has.
    pub fn algorithms_for(&self, names: &[&str], port: u16) -> Vec<String> {
        let lookups: Vec<String> = names.iter().map(|name| lookup_name(name, port)).collect();
        let mut algorithms = Vec::new();
        for entry in self.entries.iter().filter(|entry| entry.marker().is_none()) {
            if lookups.iter().any(|name| patterns_match(entry.host_patterns(), name)) {
                let algorithm = entry.public_key().algorithm().to_string();
                if !algorithms.contains(&algorithm) {
                    algorithms.push(algorithm);
                }
            }
        }
        algorithms
    }
}

/// OpenSSH names non-default ports as `[host]:port`.
fn lookup_name(host: &str, port: u16) -> String {
    if port == 22 { host.to_string() } else { format!("[{host}]:{port}") }
}

/// OpenSSH semantics: any positive pattern matching and no negated one.
fn patterns_match(patterns: &HostPatterns, name: &str) -> bool {
    match patterns {
        HostPatterns::HashedName { salt, hash } => hashed_name_matches(salt, hash, name),
        HostPatterns::Patterns(list) => {
            let mut matched = false;
            for pattern in list {
                if let Some(negated) = pattern.strip_prefix('!') {
                    if wildcard_match(negated, name) {
                        return false;
                    }
                } else if wildcard_match(pattern, name) {
                    matched = true;
                }
            }
            matched
        }
    }
}

/// `HashKnownHosts` entries are HMAC-SHA1(salt, name).
fn hashed_name_matches(salt: &[u8], hash: &[u8; 20], name: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(salt) else {
        return false;
    };
    mac.update(name.as_bytes());
    mac.verify_slice(hash).is_ok()
}

/// `*` and `?` wildcards, case-insensitive as host names are.
pub(crate) fn wildcard_match(pattern: &str, name: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    glob_bytes(pattern.as_bytes(), name.as_bytes())
}

fn glob_bytes(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob_bytes(&pattern[1..], name) || (!name.is_empty() && glob_bytes(pattern, &name[1..]))
        }
        (Some(b'?'), Some(_)) => glob_bytes(&pattern[1..], &name[1..]),
        (Some(expected), Some(actual)) if expected == actual => {
            glob_bytes(&pattern[1..], &name[1..])
        }
        _ => false,
    }
}

/// The `SHA256:…` fingerprint OpenSSH prints, or a hex digest if the blob
/// cannot be parsed.
pub fn fingerprint(key_blob: &[u8]) -> String {
    match PublicKey::from_bytes(key_blob) {
        Ok(key) => key.fingerprint(HashAlg::Sha256).to_string(),
        Err(_) => format!("unparsed-key-sha256:{}", crate::artifact::sha256_hex(key_blob)),
    }
}

/// Appends keys learnt under `accept-new`; one lock so parallel workers never
/// interleave lines.
#[derive(Debug)]
pub struct KnownHostsWriter {
    path: PathBuf,
    lock: Mutex<()>,
}

impl KnownHostsWriter {
    pub fn new(path: PathBuf) -> Self {
        KnownHostsWriter { path, lock: Mutex::new(()) }
    }

    pub fn append(&self, names: &[&str], port: u16, key_blob: &[u8]) -> std::io::Result<()> {
        let key = PublicKey::from_bytes(key_blob)
            .and_then(|key| key.to_openssh())
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        let hosts: Vec<String> = names.iter().map(|name| lookup_name(name, port)).collect();
        let line = format!("{} {key}\n", hosts.join(","));

        let _guard = self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(parent) = self.path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
        file.write_all(line.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use base64ct::{Base64, Encoding};

    use super::*;

    const KEY_A: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOM+0kJNodNHWs0C5YQqOn9dzjUYc9QrO9DZa+f2qFw2";
    const KEY_B: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE/OXaNu6dqbspmRbbVyXwhdmnyvoyHqR1ULx7EkIXAe";

    fn blob(key: &str) -> Vec<u8> {
        PublicKey::from_openssh(key).unwrap().to_bytes().unwrap()
    }

    fn known(text: &str) -> KnownHosts {
        let mut known = KnownHosts::default();
        known.add_text(text, Path::new("known_hosts"));
        known
    }

    #[test]
    fn exact_key_is_trusted_and_other_key_is_changed() {
        let hosts = known(&format!("web1,10.0.0.1 {KEY_A}\n"));
        assert_eq!(hosts.verify(&["web1"], 22, &blob(KEY_A)), Verdict::Trusted);
        assert_eq!(hosts.verify(&["web1"], 22, &blob(KEY_B)), Verdict::Changed);
        assert_eq!(hosts.verify(&["web2"], 22, &blob(KEY_A)), Verdict::Unknown);
    }

    /// libssh2 lets a revoked key match; we must not.
    #[test]
    fn revoked_key_is_refused_even_when_also_listed_plainly() {
        let hosts = known(&format!("@revoked * {KEY_A}\nweb1 {KEY_A}\n"));
        assert_eq!(hosts.verify(&["web1"], 22, &blob(KEY_A)), Verdict::Revoked);
    }

    /// libssh2 lets a port-less entry match any port; OpenSSH does not.
    #[test]
    fn non_default_port_needs_bracketed_entry() {
        let hosts = known(&format!("web1 {KEY_A}\n[web1]:2222 {KEY_B}\n"));
        assert_eq!(hosts.verify(&["web1"], 2222, &blob(KEY_A)), Verdict::Changed);
        assert_eq!(hosts.verify(&["web1"], 2222, &blob(KEY_B)), Verdict::Trusted);
    }

    #[test]
    fn wildcards_and_negation() {
        let hosts = known(&format!("*.prod.example,!db?.prod.example {KEY_A}\n"));
        assert_eq!(hosts.verify(&["web1.prod.example"], 22, &blob(KEY_A)), Verdict::Trusted);
        assert_eq!(hosts.verify(&["db1.prod.example"], 22, &blob(KEY_A)), Verdict::Unknown);
    }

    /// Entry produced by `ssh-keygen -H` for the name `web1`.
    #[test]
    fn hashed_names_match() {
        let mut mac = Hmac::<Sha1>::new_from_slice(b"0123456789abcdefghij").unwrap();
        mac.update(b"web1");
        let hash = mac.finalize().into_bytes();
        let line = format!(
            "|1|{}|{} {KEY_A}\n",
            Base64::encode_string(b"0123456789abcdefghij"),
            Base64::encode_string(&hash)
        );
        let hosts = known(&line);
        assert_eq!(hosts.verify(&["web1"], 22, &blob(KEY_A)), Verdict::Trusted);
        assert_eq!(hosts.verify(&["web2"], 22, &blob(KEY_A)), Verdict::Unknown);
    }

    /// libssh2 aborts at the first malformed line; we skip it and go on.
    #[test]
    fn malformed_line_is_skipped_not_fatal() {
        let hosts = known(&format!("garbage line here\nweb1 {KEY_A}\n"));
        assert_eq!(hosts.skipped_lines, vec!["known_hosts:1".to_string()]);
        assert_eq!(hosts.verify(&["web1"], 22, &blob(KEY_A)), Verdict::Trusted);
    }

    #[test]
    fn accept_new_appends_a_line_that_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known_hosts");
        let writer = KnownHostsWriter::new(path.clone());
        writer.append(&["h1", "127.100.1.1"], 22, &blob(KEY_A)).unwrap();
        let hosts = KnownHosts::load(&[path]).unwrap();
        assert_eq!(hosts.verify(&["127.100.1.1"], 22, &blob(KEY_A)), Verdict::Trusted);
    }
}
