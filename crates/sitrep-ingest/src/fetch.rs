//! http(s) fetching with a timeout, a size cap and a rule on where it may connect.
//!
//! A feed names the pages sitrep fetches, and a page may redirect anywhere, so by default a
//! [`Fetcher`] connects only to public addresses: every host name is resolved, and loopback,
//! private, link-local, shared (CGNAT), unspecified, multicast and broadcast addresses are
//! refused, on the first request and on every redirect. The check sits in the resolver the HTTP
//! client connects through, so what is checked is what is connected to (no second lookup a DNS
//! answer could change in between).

use crate::IngestError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};

/// Whether a [`Fetcher`] may connect to loopback, private and other non-public addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivateAddresses {
    /// Only public addresses (the default: a feed cannot make sitrep read internal services).
    Refused,
    /// Any address (for a trusted network, and for tests against a loopback server).
    Allowed,
}

/// Fetches pages and feeds over http(s).
#[derive(Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    timeout: Duration,
}

/// Which addresses a connection may go to.
type Policy = Arc<dyn Fn(&SocketAddr) -> bool + Send + Sync>;

impl Fetcher {
    /// A fetcher with a per-request timeout, connecting to public addresses only unless
    /// `private` allows the others.
    pub fn new(timeout: Duration, private: PrivateAddresses) -> Fetcher {
        match private {
            PrivateAddresses::Allowed => Fetcher::with_policy(timeout, None),
            PrivateAddresses::Refused => {
                Fetcher::with_policy(timeout, Some(Arc::new(|a: &SocketAddr| is_public(a.ip()))))
            }
        }
    }

    /// A fetcher whose connections are checked by `policy` (none: any address).
    fn with_policy(timeout: Duration, policy: Option<Policy>) -> Fetcher {
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .max_redirects(5)
            .user_agent("sitrep/0.1 (+news event extraction)");
        let Some(policy) = policy else {
            return Fetcher {
                agent: config.build().into(),
                timeout,
            };
        };
        // Through a proxy the target is resolved here, by the checking resolver, and not by
        // the proxy; the proxy itself is the user's choice and is not checked.
        let proxy = checked_env_proxy();
        let exempt = proxy.as_ref().map(|p| (p.host().to_string(), p.port()));
        config = config.proxy(proxy);
        let resolver = Checked { policy, exempt };
        let agent = ureq::Agent::with_parts(
            config.build(),
            ureq::unversioned::transport::DefaultConnector::default(),
            resolver,
        );
        Fetcher { agent, timeout }
    }

    /// GET `url`: its body (at most `max_bytes`; as UTF-8 behind a byte order mark when the
    /// content type names a charset) and content type.
    pub fn get(&self, url: &str, max_bytes: u64) -> Result<(Vec<u8>, Option<String>), IngestError> {
        self.get_before(url, max_bytes, None)
    }

    /// GET `url`, giving up at `deadline` when there is one (or at the per-request timeout).
    pub fn get_before(
        &self,
        url: &str,
        max_bytes: u64,
        deadline: Option<Instant>,
    ) -> Result<(Vec<u8>, Option<String>), IngestError> {
        let err = |detail: String| IngestError::Fetch {
            origin: url.to_string(),
            detail,
        };
        let timeout = match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(err("deadline passed before the request".into()));
                }
                left.min(self.timeout)
            }
            None => self.timeout,
        };
        let mut resp = self
            .agent
            .get(url)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .call()
            .map_err(|e| err(e.to_string()))?;
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp
            .body_mut()
            .with_config()
            .limit(max_bytes)
            .read_to_vec()
            .map_err(|e| err(e.to_string()))?;
        // A charset in the header outranks the page's own declaration: the body is re-encoded
        // as UTF-8 behind a byte order mark, which every reader after this honours first.
        let body = sitrep_text::with_declared_charset(body, ctype.as_deref());
        Ok((body, ctype))
    }
}

/// The proxy from the environment, set to resolve targets here so they can be checked.
fn checked_env_proxy() -> Option<ureq::Proxy> {
    let env = ureq::Proxy::try_from_env()?;
    let mut b = ureq::Proxy::builder(env.protocol())
        .host(env.host())
        .port(env.port())
        .resolve_target(true);
    if let Some(u) = env.username() {
        b = b.username(u);
    }
    if let Some(p) = env.password() {
        b = b.password(p);
    }
    let no_proxy = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    for expr in no_proxy.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        b = b.no_proxy(expr);
    }
    b.build().ok()
}

/// A resolver that drops addresses the policy refuses, and fails when none is left.
struct Checked {
    policy: Policy,
    /// The configured proxy's host and port, connected to whatever its address.
    exempt: Option<(String, u16)>,
}

impl std::fmt::Debug for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checked")
            .field("exempt", &self.exempt)
            .finish()
    }
}

impl Resolver for Checked {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let all = DefaultResolver::default().resolve(uri, config, timeout)?;
        let host = uri.host().unwrap_or_default();
        if let Some((h, port)) = &self.exempt {
            if h == host && all.iter().all(|a| a.port() == *port) {
                return Ok(all);
            }
        }
        let mut kept = self.empty();
        let mut refused = None;
        for a in all.iter() {
            if (self.policy)(a) {
                kept.push(*a);
            } else {
                refused.get_or_insert(*a);
            }
        }
        match refused {
            Some(a) if kept.is_empty() => {
                let at = if host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok() {
                    String::new()
                } else {
                    format!(" is at {}", a.ip())
                };
                Err(ureq::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!(
                        "{host}{at}: a loopback, private or otherwise non-public address; refused"
                    ),
                )))
            }
            _ => Ok(kept),
        }
    }
}

/// Whether an address is on the public internet: not loopback, private (RFC 1918, fc00::/7),
/// link-local, shared (100.64.0.0/10), unspecified, multicast, broadcast or reserved, also
/// when written as an IPv4-mapped, IPv4-compatible or NAT64 IPv6 address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(a == 0 // "this network", including the unspecified address
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || ip.is_multicast()
        || a >= 240) // reserved, and the broadcast address
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 = || {
        let o = ip.octets();
        Ipv4Addr::new(o[12], o[13], o[14], o[15])
    };
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) addresses.
    if s[..6] == [0; 6] || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return !ip.is_unspecified() && !ip.is_loopback() && is_public_v4(embedded_v4());
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // unique local
        || (s[0] & 0xffc0) == 0xfe80 // link-local
        || (s[0] & 0xffc0) == 0xfec0) // site-local (deprecated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::Server;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = private.parse().unwrap();
            assert!(!is_public(ip), "{private} counted as public");
        }
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.0.1",
            "100.128.0.1",
            "172.32.0.1",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert!(is_public(ip), "{public} counted as non-public");
        }
    }

    #[test]
    fn a_loopback_server_is_refused_without_the_option() {
        let server = Server::start(|_| (200, vec![], b"internal".to_vec(), 0));
        let fetcher = Fetcher::new(Duration::from_secs(5), PrivateAddresses::Refused);
        let err = fetcher.get(&server.url("/admin"), 1024).unwrap_err();
        assert!(err.to_string().contains("non-public address"), "{err}");
        let by_name = format!("http://localhost:{}/admin", server.port());
        let err = fetcher.get(&by_name, 1024).unwrap_err();
        assert!(err.to_string().contains("non-public address"), "{err}");
        assert_eq!(server.hits(), 0);
        let allowed = Fetcher::new(Duration::from_secs(5), PrivateAddresses::Allowed);
        let (body, _) = allowed.get(&server.url("/admin"), 1024).unwrap();
        assert_eq!(body, b"internal");
    }

    #[test]
    fn the_charset_of_the_content_type_decodes_the_page() {
        const ARABIC: &str = "قال مسؤولون إن غارة جوية أسفرت عن مقتل ثلاثة مدنيين في حلب.";
        let mut page = b"<html><head><meta charset=\"utf-8\"></head><body><p>".to_vec();
        page.extend(encoding_rs::WINDOWS_1256.encode(ARABIC).0.iter());
        page.extend_from_slice(b"</p></body></html>");
        let server = Server::start(move |_| {
            let ctype = (
                "Content-Type".into(),
                "text/html; charset=windows-1256".into(),
            );
            (200, vec![ctype], page.clone(), 0)
        });
        let fetcher = Fetcher::new(Duration::from_secs(5), PrivateAddresses::Allowed);
        let (body, _) = fetcher.get(&server.url("/ar"), 1 << 20).unwrap();
        let text = sitrep_text::decode(&body).unwrap();
        assert!(text.text.contains(ARABIC), "{}", text.text);
        assert!(text.warnings.is_empty(), "{:?}", text.warnings);
    }

    #[test]
    fn a_redirect_to_a_refused_address_is_not_followed() {
        let internal = Server::start(|_| (200, vec![], b"secret".to_vec(), 0));
        let target = internal.url("/secret");
        let public =
            Server::start(move |_| (302, vec![("Location".into(), target.clone())], vec![], 0));
        // Only the first server's port counts as public here: the whole test stays on loopback.
        let port = public.port();
        let fetcher = Fetcher::with_policy(
            Duration::from_secs(5),
            Some(Arc::new(move |a: &SocketAddr| a.port() == port)),
        );
        let err = fetcher.get(&public.url("/page"), 1024).unwrap_err();
        assert!(err.to_string().contains("non-public address"), "{err}");
        assert_eq!(public.hits(), 1);
        assert_eq!(internal.hits(), 0);
    }
}
