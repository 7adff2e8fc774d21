//! Which addresses outbound requests (webhooks) may reach: public ones only, so a webhook target
//! cannot be pointed at the server itself or at the bureau's internal network (SSRF). And which
//! networks a setting names (`10.20.0.0/16`), for the operators' endpoints.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` is loopback or inside one of `networks` (CIDR text such as `10.20.0.0/16` or a
/// single address; entries that do not parse match nothing).
pub fn within_any(ip: IpAddr, networks: &[String]) -> bool {
    ip.is_loopback() || networks.iter().any(|network| within(ip, network))
}

fn within(ip: IpAddr, network: &str) -> bool {
    let (address, bits) = match network.trim().split_once('/') {
        Some((address, bits)) => (address, bits.parse::<u32>().ok()),
        None => (network.trim(), None),
    };
    match (ip, address.parse::<IpAddr>()) {
        (IpAddr::V4(ip), Ok(IpAddr::V4(net))) => {
            prefix_match(u32::from(ip).into(), u32::from(net).into(), bits.unwrap_or(32), 32)
        }
        (IpAddr::V6(ip), Ok(IpAddr::V6(net))) => {
            prefix_match(u128::from(ip), u128::from(net), bits.unwrap_or(128), 128)
        }
        _ => false,
    }
}

fn prefix_match(ip: u128, net: u128, bits: u32, width: u32) -> bool {
    if bits > width {
        return false;
    }
    let shift = width - bits;
    bits == 0 || (ip >> shift) == (net >> shift)
}

/// Whether `ip` is a public unicast address: not loopback, private, link-local, shared (CGNAT),
/// documentation, benchmarking, multicast, broadcast or unspecified — IPv4-mapped IPv6 judged as IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_by_prefix_and_loopback_always() {
        let nets = vec!["10.20.0.0/16".to_owned(), "192.168.1.7".to_owned(), "fd00::/8".to_owned(), "bogus".to_owned()];
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert!(within_any(ip("10.20.3.4"), &nets));
        assert!(!within_any(ip("10.21.0.1"), &nets));
        assert!(within_any(ip("192.168.1.7"), &nets) && !within_any(ip("192.168.1.8"), &nets));
        assert!(within_any(ip("fd12::1"), &nets) && !within_any(ip("fe80::1"), &nets));
        assert!(within_any(ip("127.0.0.1"), &[]) && within_any(ip("::1"), &[]));
        assert!(!within_any(ip("8.8.8.8"), &["0.0.0.0/33".to_owned()]), "a prefix too long matches nothing");
        assert!(within_any(ip("8.8.8.8"), &["0.0.0.0/0".to_owned()]));
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for text in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.9",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(text.parse().expect("ip")), "{text}");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for text in ["101.226.103.106", "8.8.8.8", "240e:e9::1", "2400:da00::6666", "::ffff:8.8.8.8"] {
            assert!(is_public(text.parse().expect("ip")), "{text}");
        }
    }
}
