//! Listening sockets: what a host serves, so a rollout can check the same
//! services answer afterwards.
//!
//! Two sources: `ss -tulnp` where iproute2 is installed (gathers of
//! 2026-12-04 asked for TCP and UDP in two marked sections, still read), and
//! otherwise the kernel's own tables (`/proc/net/{tcp,tcp6,udp,udp6}`),
//! which the script pre-filters to listening TCP and unconnected UDP
//! sockets and marks with a `# proc-net` line.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::artifact::inventory::Listener;

const PROC_NET_MARKER: &str = "# proc-net";
/// `ss -t -n -p state listening` follows.
const TCP_SECTION_MARKER: &str = "# ss-tcp-listening";
/// `ss -u -l -n -p` follows.
const UDP_SECTION_MARKER: &str = "# ss-udp";

/// Parses the script's `listening` section in whichever form it came.
pub fn parse_listening(text: &str) -> Vec<Listener> {
    let mut listeners: Vec<Listener> = if text.lines().next() == Some(PROC_NET_MARKER) {
        text.lines().filter_map(parse_proc_net_line).collect()
    } else {
        parse_ss(text)
    };
    listeners.sort();
    listeners.dedup();
    listeners
}

/// Parses `ss -tuln[p]` output (with or without its header, old and new
/// address styles: `0.0.0.0:22`, `[::]:22`, `:::22`, `127.0.0.53%lo:53`).
/// Current iproute2 prints `*:22` for a dual-stack IPv6 wildcard socket,
/// which is recorded as `::`, as the kernel's own tables show it.
pub fn parse_ss(text: &str) -> Vec<Listener> {
    let mut section_protocol = None;
    let mut listeners = Vec::new();
    for line in text.lines() {
        match line {
            TCP_SECTION_MARKER => section_protocol = Some("tcp"),
            UDP_SECTION_MARKER => section_protocol = Some("udp"),
            _ => listeners.extend(parse_ss_line(line, section_protocol)),
        }
    }
    listeners
}

/// One socket line. With one protocol asked for, ss leaves out its `Netid`
/// column, and with one state its `State` column, so the protocol comes from
/// the section when the line does not name it, and the local address is
/// the first word with a port (queue sizes and states have none).
fn parse_ss_line(line: &str, section_protocol: Option<&str>) -> Option<Listener> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let first = *words.first()?;
    let netid = match first {
        "tcp" | "udp" => first,
        _ => section_protocol?,
    };
    let (mut address, port) = words.iter().find_map(|word| split_address(word))?;
    if address == "*" {
        address = "::".to_string();
    }
    let is_v6 = address.contains(':');
    let process = words.iter().find_map(|word| word.strip_prefix("users:")).and_then(process_name);
    Some(Listener {
        protocol: if is_v6 { format!("{netid}6") } else { netid.to_string() },
        address,
        port,
        process,
    })
}

/// Splits `ADDRESS:PORT`, removing the brackets ss puts around IPv6.
fn split_address(local: &str) -> Option<(String, u16)> {
    let (address, port) = local.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let address = address.strip_prefix('[').and_then(|a| a.strip_suffix(']')).unwrap_or(address);
    Some((address.to_string(), port))
}

/// The first process name in `users:(("sshd",pid=612,fd=3),…)`.
fn process_name(users: &str) -> Option<String> {
    let start = users.find("((\"")? + 3;
    let end = users[start..].find('"')? + start;
    Some(users[start..end].to_string())
}

/// Parses one `PROTOCOL HEXADDR:HEXPORT` line the script prints from
/// `/proc/net/*`. Addresses there are in host byte order per 32-bit word;
/// like the kernel that wrote them, we assume a little-endian host.
fn parse_proc_net_line(line: &str) -> Option<Listener> {
    let (protocol, local) = line.split_once(' ')?;
    if !matches!(protocol, "tcp" | "tcp6" | "udp" | "udp6") {
        return None;
    }
    let (hex_address, hex_port) = local.trim().split_once(':')?;
    let port = u16::from_str_radix(hex_port, 16).ok()?;
    let address = match hex_address.len() {
        8 => Ipv4Addr::from(word_bytes(hex_address)?).to_string(),
        32 => Ipv6Addr::from(ipv6_bytes(hex_address)?).to_string(),
        _ => return None,
    };
    Some(Listener { protocol: protocol.to_string(), address, port, process: None })
}

/// One 32-bit word of 8 hex digits, stored little-endian.
fn word_bytes(hex: &str) -> Option<[u8; 4]> {
    let word = u32::from_str_radix(hex, 16).ok()?;
    Some(word.to_le_bytes())
}

fn ipv6_bytes(hex: &str) -> Option<[u8; 16]> {
    let mut bytes = [0u8; 16];
    for (index, chunk) in bytes.chunks_mut(4).enumerate() {
        chunk.copy_from_slice(&word_bytes(hex.get(index * 8..index * 8 + 8)?)?);
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listener(protocol: &str, address: &str, port: u16, process: Option<&str>) -> Listener {
        Listener {
            protocol: protocol.into(),
            address: address.into(),
            port,
            process: process.map(Into::into),
        }
    }

    #[test]
    fn ss_output_in_old_and_new_styles() {
        let text = "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n\
            udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*    users:((\"systemd-resolve\",pid=500,fd=13))\n\
            tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:((\"sshd\",pid=612,fd=3))\n\
            tcp   LISTEN 0      128             [::]:22           [::]:*    users:((\"sshd\",pid=612,fd=4))\n\
            tcp   LISTEN 0      128              :::80             :::*\n";
        assert_eq!(
            parse_listening(text),
            [
                listener("tcp", "0.0.0.0", 22, Some("sshd")),
                listener("tcp6", "::", 22, Some("sshd")),
                listener("tcp6", "::", 80, None),
                listener("udp", "127.0.0.53%lo", 53, Some("systemd-resolve")),
            ]
        );
    }

    #[test]
    fn ss_sections_without_netid_and_state_columns() {
        let text = "# ss-tcp-listening\n\
            Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n\
            0      128          0.0.0.0:22         0.0.0.0:*    users:((\"sshd\",pid=8,fd=3))\n\
            0      128                *:8080             *:*\n\
            # ss-udp\n\
            State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n\
            UNCONN 0      0              [::1]:53          [::]:*    users:((\"dnsmasq\",pid=9,fd=4))\n";
        assert_eq!(
            parse_listening(text),
            [
                listener("tcp", "0.0.0.0", 22, Some("sshd")),
                listener("tcp6", "::", 8080, None),
                listener("udp6", "::1", 53, Some("dnsmasq")),
            ]
        );
    }

    #[test]
    fn proc_net_tables_decode() {
        let text = "# proc-net\ntcp 0100007F:0016\ntcp6 00000000000000000000000001000000:0050\n\
                    udp 00000000:0044\n";
        assert_eq!(
            parse_listening(text),
            [
                listener("tcp", "127.0.0.1", 22, None),
                listener("tcp6", "::1", 80, None),
                listener("udp", "0.0.0.0", 68, None),
            ]
        );
    }
}
