//! The host's own IP addresses, as its kernel lists them.
//!
//! An inventory often reaches a host by DNS name, and a CMDB records its IP
//! addresses: only the addresses the host itself carries can settle whether
//! the CMDB is right. These are the addresses in use: an interface that is
//! down has no local routes in `fib_trie`, so its IPv4 addresses are not
//! listed. They come from `/proc` rather than `ip addr`, so the
//! gather script's one `awk` reads them without another process: IPv4 from
//! `/proc/net/fib_trie` (the script keeps only the `/32 host LOCAL` leaves,
//! one address a line), IPv6 from `/proc/net/if_inet6`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `if_inet6` scope of addresses usable beyond the link (the kernel's
/// `IFA_SCOPE_GLOBAL`); host (`10`) and link (`20`) scopes are left out.
const GLOBAL_SCOPE: &str = "00";

/// The host's addresses in order, IPv4 first, without the loopback
/// interface's own `127.0.0.1` and `::1`, which every host has.
pub fn host_addresses(ipv4_section: &str, if_inet6: &str) -> Vec<IpAddr> {
    let mut addresses: Vec<IpAddr> = parse_ipv4_addresses(ipv4_section)
        .into_iter()
        .map(IpAddr::V4)
        .chain(parse_if_inet6(if_inet6).into_iter().map(IpAddr::V6))
        .filter(|address| !is_loopback_default(address))
        .collect();

    addresses.sort();
    addresses.dedup();
    addresses
}

/// One dotted-quad address a line, as the gather script prints the local
/// leaves of `fib_trie`.
pub fn parse_ipv4_addresses(text: &str) -> Vec<Ipv4Addr> {
    text.lines().filter_map(|line| line.trim().parse().ok()).collect()
}

/// Global-scope addresses from `/proc/net/if_inet6`: 32 hex digits, then
/// interface index, prefix length, scope and flags in hex, then the name.
pub fn parse_if_inet6(text: &str) -> Vec<Ipv6Addr> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let hex = fields.next()?;
            let scope = fields.nth(2)?;
            (scope == GLOBAL_SCOPE).then_some(())?;
            u128::from_str_radix(hex, 16).ok().filter(|_| hex.len() == 32).map(Ipv6Addr::from)
        })
        .collect()
}

fn is_loopback_default(address: &IpAddr) -> bool {
    *address == IpAddr::V4(Ipv4Addr::LOCALHOST) || *address == IpAddr::V6(Ipv6Addr::LOCALHOST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_defaults_are_left_out_and_the_rest_sorted_once() {
        let ipv4 = "127.0.0.1\n192.0.2.2\n127.100.1.7\n192.0.2.2\n";
        let ipv6 = "00000000000000000000000000000001 01 80 10 80 lo\n\
                    fd000000000000000000000000000002 04 40 00 82 eth0\n";
        let addresses: Vec<String> =
            host_addresses(ipv4, ipv6).iter().map(ToString::to_string).collect();
        assert_eq!(addresses, ["127.100.1.7", "192.0.2.2", "fd00::2"]);
    }

    #[test]
    fn link_and_host_scoped_ipv6_addresses_are_not_the_hosts_addresses() {
        let text = "fe8000000000000000fc00fffe000001 04 40 20 80     eth0\n\
                    20010db8000000000000000000000010 02 40 00 00     eth1\n\
                    not-hex 02 40 00 00 eth2\n";
        assert_eq!(parse_if_inet6(text), ["2001:db8::10".parse::<Ipv6Addr>().unwrap()]);
    }
}
