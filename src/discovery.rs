//! Finding hosts that answer: a rate-limited TCP connect scan.
//!
//! A plain `connect(2)` scan needs no privileges and is what sysadmins
//! reach for to find SSH (22) and `WinRM` (5985) listeners in a subnet.
//! Attempts are paced so that at most `rate` new connections start per
//! second, however many are in flight, to stay polite to firewalls and IDS.

use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use ipnet::IpNet;
use serde::Serialize;

use crate::execute::fanout;

/// The most targets one scan may have, so a typo like `/8` fails fast.
pub const MAX_TARGETS: usize = 1 << 20;

/// What to scan and how gently.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    pub networks: Vec<IpNet>,
    pub ports: Vec<u16>,
    pub rate_per_second: u32,
    pub timeout: Duration,
    pub parallel: usize,
}

/// One answering port.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenPort {
    pub address: IpAddr,
    pub port: u16,
    pub connect_millis: f64,
}

/// Why a scan could not start.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    #[error("invalid address range `{text}`: {reason}")]
    BadRange { text: String, reason: String },
    #[error("{count} targets is more than the {MAX_TARGETS} one scan may try; narrow `--cidr`")]
    TooMany { count: usize },
    #[error("`--rate` must be at least 1")]
    ZeroRate,
}

/// Parses `--cidr` values; a bare address is a /32 (or /128).
pub fn parse_networks(texts: &[String]) -> Result<Vec<IpNet>, DiscoveryError> {
    texts
        .iter()
        .map(|text| {
            text.parse::<IpNet>().or_else(|_| text.parse::<IpAddr>().map(IpNet::from)).map_err(
                |error| DiscoveryError::BadRange { text: text.clone(), reason: error.to_string() },
            )
        })
        .collect()
}

/// Every address × port to try, in order.
pub fn targets(settings: &ScanSettings) -> Result<Vec<SocketAddr>, DiscoveryError> {
    if settings.rate_per_second == 0 {
        return Err(DiscoveryError::ZeroRate);
    }
    let mut targets = Vec::new();
    for network in &settings.networks {
        // `hosts()` leaves out network and broadcast addresses, except in /31
        // and /32 networks, where every address is a host.
        for address in network.hosts() {
            for &port in &settings.ports {
                targets.push(SocketAddr::new(address, port));
                if targets.len() > MAX_TARGETS {
                    return Err(DiscoveryError::TooMany { count: targets.len() });
                }
            }
        }
    }
    Ok(targets)
}

/// Scans and returns the open ports in address order, reporting each as found.
pub fn scan(
    settings: &ScanSettings,
    targets: Vec<SocketAddr>,
    mut on_found: impl FnMut(&OpenPort),
) -> Vec<OpenPort> {
    let started = Instant::now();
    let spacing = Duration::from_secs(1) / settings.rate_per_second;
    let indexed: Vec<(u32, SocketAddr)> = targets
        .into_iter()
        .enumerate()
        .map(|(i, t)| (u32::try_from(i).unwrap_or(u32::MAX), t))
        .collect();

    let results = fanout::run(
        indexed,
        settings.parallel,
        |(index, target)| {
            pace(started + spacing * index);
            probe(target, settings.timeout)
        },
        |result| {
            if let Some(open) = result {
                on_found(open);
            }
        },
    );

    let mut open: Vec<OpenPort> = results.into_iter().flatten().collect();
    open.sort_by_key(|a| (a.address, a.port));
    open
}

fn pace(start_at: Instant) {
    let now = Instant::now();
    if start_at > now {
        std::thread::sleep(start_at - now);
    }
}

fn probe(target: SocketAddr, timeout: Duration) -> Option<OpenPort> {
    let started = Instant::now();
    TcpStream::connect_timeout(&target, timeout).ok().map(|_| OpenPort {
        address: target.ip(),
        port: target.port(),
        connect_millis: started.elapsed().as_secs_f64() * 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use super::*;

    /// Loopback only: a listener on a 127.x address is found, a closed port is not.
    #[test]
    fn finds_listener_on_loopback_and_respects_rate() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let open_port = listener.local_addr().unwrap().port();
        let closed_port = {
            let probe = TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let settings = ScanSettings {
            networks: parse_networks(&["127.0.0.0/30".to_string()]).unwrap(),
            ports: vec![open_port, closed_port],
            rate_per_second: 20,
            timeout: Duration::from_millis(500),
            parallel: 4,
        };
        let targets = targets(&settings).unwrap();
        assert_eq!(targets.len(), 4, "two usable hosts in a /30, two ports each");

        let started = Instant::now();
        let open = scan(&settings, targets, |_| {});
        assert!(
            started.elapsed() >= Duration::from_millis(140),
            "4 attempts at 20/s take >= 150 ms"
        );
        assert_eq!(open.len(), 1);
        assert_eq!(open[0].port, open_port);
        assert_eq!(open[0].address.to_string(), "127.0.0.1");
    }

    /// A bare address and a /31 scan every address they hold.
    #[test]
    fn single_addresses_and_point_to_point_links_are_scanned_whole() {
        let settings = |cidr: &str| ScanSettings {
            networks: parse_networks(&[cidr.to_string()]).unwrap(),
            ports: vec![22],
            rate_per_second: 10,
            timeout: Duration::from_millis(10),
            parallel: 1,
        };
        let single = targets(&settings("127.0.0.7")).unwrap();
        assert_eq!(single, ["127.0.0.7:22".parse().unwrap()]);
        assert_eq!(targets(&settings("127.0.0.6/31")).unwrap().len(), 2);
    }

    #[test]
    fn refuses_huge_ranges_and_bad_text() {
        assert!(parse_networks(&["10.0.0.0/33".to_string()]).is_err());
        let settings = ScanSettings {
            networks: parse_networks(&["127.0.0.0/8".to_string()]).unwrap(),
            ports: vec![22],
            rate_per_second: 10,
            timeout: Duration::from_millis(10),
            parallel: 1,
        };
        assert!(matches!(targets(&settings), Err(DiscoveryError::TooMany { .. })));
    }
}
