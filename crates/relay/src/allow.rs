//! Optional per-provider source-address allowlists (platform level, from configuration).
//!
//! Safaricom, Paystack and ClickPesa publish the addresses their callbacks come from. When a
//! list is configured for a provider, a request for one of its kinds from any other address is
//! refused with 403 before anything is looked up or stored. No list means any source.

use std::net::IpAddr;
use std::str::FromStr;

use crate::kind::EventKind;

/// An address block such as `196.201.214.0/24` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

/// A block that could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not an address or address/prefix block")]
pub struct BadCidr(pub String);

impl FromStr for Cidr {
    type Err = BadCidr;

    fn from_str(s: &str) -> Result<Self, BadCidr> {
        let bad = || BadCidr(s.to_owned());
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Self { net, prefix })
    }
}

impl Cidr {
    /// Whether `ip` is inside the block (IPv4-mapped IPv6 peers count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            IpAddr::V4(_) => ip,
        };
        match (self.net, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(
                u128::from(u32::from(net)),
                u128::from(u32::from(ip)),
                32,
                self.prefix,
            ),
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(u128::from(net), u128::from(ip), 128, self.prefix)
            }
            _ => false,
        }
    }

    /// Parses a comma-separated list (as given on the command line or in the environment).
    pub fn parse_list(s: &str) -> Result<Vec<Cidr>, BadCidr> {
        s.split(',')
            .filter(|p| !p.trim().is_empty())
            .map(str::parse)
            .collect()
    }
}

fn prefix_eq(net: u128, ip: u128, bits: u32, prefix: u8) -> bool {
    let shift = bits - u32::from(prefix);
    shift >= bits || (net >> shift) == (ip >> shift)
}

/// The allowlist of each provider; `None` lets any source through.
#[derive(Debug, Clone, Default)]
pub struct SourceAllowlists {
    pub daraja: Option<Vec<Cidr>>,
    pub paystack: Option<Vec<Cidr>>,
    pub clickpesa: Option<Vec<Cidr>>,
}

impl SourceAllowlists {
    /// Whether a `kind` event may come from `ip`.
    pub fn allows(&self, kind: EventKind, ip: IpAddr) -> bool {
        let list = match kind {
            EventKind::Stk
            | EventKind::C2bConfirm
            | EventKind::C2bValidate
            | EventKind::ReversalResult
            | EventKind::Timeout => &self.daraja,
            EventKind::Paystack => &self.paystack,
            EventKind::ClickPesa => &self.clickpesa,
        };
        list.as_ref()
            .is_none_or(|cidrs| cidrs.iter().any(|c| c.contains(ip)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_contain_what_they_should() {
        let block: Cidr = "196.201.214.0/24".parse().unwrap();
        assert!(block.contains(ip("196.201.214.200")));
        assert!(block.contains(ip("::ffff:196.201.214.1")));
        assert!(!block.contains(ip("196.201.215.1")));
        assert!(!block.contains(ip("::1")));
        let one: Cidr = "52.31.139.75".parse().unwrap();
        assert!(one.contains(ip("52.31.139.75")));
        assert!(!one.contains(ip("52.31.139.76")));
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains(ip("8.8.8.8")));
        assert!("2001:db8::/32"
            .parse::<Cidr>()
            .unwrap()
            .contains(ip("2001:db8::1")));
        assert!("1.2.3.4/33".parse::<Cidr>().is_err());
        assert!("nope".parse::<Cidr>().is_err());
        assert_eq!(Cidr::parse_list("1.1.1.1, 2.2.2.0/24,").unwrap().len(), 2);
    }

    #[test]
    fn each_provider_is_checked_against_its_own_list() {
        let lists = SourceAllowlists {
            daraja: Some(Cidr::parse_list("196.201.214.0/24").unwrap()),
            ..SourceAllowlists::default()
        };
        assert!(lists.allows(EventKind::Stk, ip("196.201.214.9")));
        assert!(!lists.allows(EventKind::C2bValidate, ip("10.0.0.1")));
        assert!(lists.allows(EventKind::Paystack, ip("10.0.0.1")));
    }
}
