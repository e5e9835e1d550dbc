//! The bench only ever talks to the local machine: every target URL goes through here.

use std::net::{IpAddr, SocketAddr};

use anyhow::{Context, bail};
use reqwest::Url;

/// Parses `raw` and accepts it only if it is `http://` and its host is `localhost`,
/// an address in 127.0.0.0/8, or `::1`. Returns the URL with any trailing `/` on the
/// path removed so API paths can be appended directly.
pub fn parse_loopback_url(raw: &str) -> anyhow::Result<Url> {
    let url = Url::parse(raw).with_context(|| format!("--url {raw:?} is not a valid URL"))?;
    if url.scheme() != "http" {
        bail!(
            "refusing --url {raw:?}: only plain http:// to a loopback address is supported (got scheme {:?})",
            url.scheme()
        );
    }
    let Some(host) = url.host_str() else {
        bail!("refusing --url {raw:?}: it has no host");
    };
    if !host_is_loopback(host) {
        bail!(
            "refusing --url {raw:?}: host {host:?} is not loopback; the bench only targets \
             127.0.0.0/8, localhost or ::1"
        );
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("refusing --url {raw:?}: give a base URL without query or fragment");
    }
    if !url.username().is_empty() || url.password().is_some() {
        bail!("refusing --url {raw:?}: credentials in the URL are not supported");
    }
    let mut url = url;
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    Ok(url)
}

/// `host` as returned by [`Url::host_str`] (IPv6 in brackets, IPv4 normalised).
fn host_is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => v6.is_loopback(),
        Err(_) => false,
    }
}

/// For `localhost`, makes sure the resolver really maps it onto loopback addresses only.
pub async fn verify_resolves_to_loopback(url: &Url) -> anyhow::Result<()> {
    let host = url.host_str().unwrap_or_default();
    if !host.eq_ignore_ascii_case("localhost") {
        return Ok(());
    }
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .with_context(|| format!("resolving {host}"))?
        .collect();
    if addrs.is_empty() {
        bail!("{host} did not resolve to any address");
    }
    if let Some(bad) = addrs.iter().find(|a| !a.ip().is_loopback()) {
        bail!(
            "refusing --url: {host} resolves to non-loopback address {}",
            bad.ip()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_loopback_hosts() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "http://127.1.2.3",
            "http://127.1:9000",
            "http://localhost:8080",
            "http://LOCALHOST:8080",
            "http://[::1]:8080/",
        ] {
            assert!(parse_loopback_url(ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn refuses_everything_else() {
        for bad in [
            "http://10.0.0.1:8080",
            "http://128.0.0.1",
            "http://0.0.0.0:8080",
            "http://192.168.1.10",
            "http://example.com",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "http://[::]:8080",
            "http://[::ffff:127.0.0.1]:8080",
            "http://[2001:db8::1]",
            "https://127.0.0.1:8443",
            "ftp://127.0.0.1",
            "http://user:pw@127.0.0.1",
            "http://127.0.0.1/?x=1",
            "127.0.0.1:8080",
            "not a url",
        ] {
            assert!(parse_loopback_url(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn error_is_explicit() {
        let err = parse_loopback_url("http://10.1.2.3:80")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not loopback"), "{err}");
    }

    #[test]
    fn trailing_slash_removed() {
        let url = parse_loopback_url("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            format!("{}/healthz", url.as_str().trim_end_matches('/')),
            "http://127.0.0.1:8080/healthz"
        );
        let url = parse_loopback_url("http://127.0.0.1:8080/prefix/").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/prefix");
    }
}
