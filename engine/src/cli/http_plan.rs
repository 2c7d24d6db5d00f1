//! The HTTP flags (and the proxy and trust variables of the environment) become the run's
//! [`HttpOptions`]: every certificate, key and address read and checked before any request.

use std::path::Path;

use rustls::pki_types::PrivateKeyDer;
use rustls::pki_types::pem::PemObject;

use super::args::HttpArgs;
use super::exit::Failure;
use crate::http::{
    ClientIdentity, HttpOptions, HttpVersions, ProxySettings, ResolveOverride, read_ca_certs,
};

/// The run's HTTP options; `env` reads the environment (`HTTP_PROXY`, `SSL_CERT_FILE`, …).
pub fn http_options(
    args: &HttpArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<HttpOptions, Failure> {
    let mut ca_certs = Vec::new();
    for path in &args.ca_cert {
        ca_certs.extend(
            read_ca_certs(path)
                .map_err(|why| Failure::usage(format!("--ca-cert {}: {why}", path.display())))?,
        );
    }
    if let Some(file) = env("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        ca_certs.extend(read_ca_certs(Path::new(&file)).map_err(|why| {
            Failure::usage(format!(
                "SSL_CERT_FILE={file}: {why}; point it at a PEM bundle or unset it"
            ))
        })?);
    }
    Ok(HttpOptions {
        versions: if args.http1 {
            HttpVersions::Http1Only
        } else if args.http2 {
            HttpVersions::H2cToo
        } else {
            HttpVersions::Negotiated
        },
        local_addrs: args.local_addr.clone(),
        ca_certs,
        identities: identities(&args.client_cert, &args.client_key)?,
        insecure: args.insecure,
        proxy: proxy(args.proxy.as_deref(), &env)?,
        resolve: args
            .resolve
            .iter()
            .map(|text| resolve(text).map_err(Failure::usage))
            .collect::<Result<_, _>>()?,
        max_redirects: args.max_redirects,
        compression: !args.no_compression,
        max_body: args.max_body as u64,
        retry: !args.no_retry,
        user_agent: args.user_agent.clone(),
    })
}

/// `[HOST=]FILE`: the host (None for every host) and the file.
fn host_and_file(text: &str) -> (Option<String>, &Path) {
    match text.split_once('=') {
        Some((host, file)) if !host.is_empty() && !host.contains('/') => {
            (Some(host.to_ascii_lowercase()), Path::new(file))
        }
        _ => (None, Path::new(text)),
    }
}

/// Pairs each `--client-cert` with the `--client-key` of the same host.
fn identities(certs: &[String], keys: &[String]) -> Result<Vec<ClientIdentity>, Failure> {
    let mut keys: Vec<(Option<String>, &Path)> = keys.iter().map(|k| host_and_file(k)).collect();
    let mut identities = Vec::new();
    for cert in certs {
        let (host, cert_file) = host_and_file(cert);
        let for_host = host.as_deref().unwrap_or("every host");
        let at = keys.iter().position(|(h, _)| *h == host).ok_or_else(|| {
            Failure::usage(format!(
                "--client-cert {cert} has no --client-key for {for_host}; add --client-key {}KEY.pem",
                host.as_ref().map_or(String::new(), |h| format!("{h}="))
            ))
        })?;
        let (_, key_file) = keys.remove(at);
        let chain = read_ca_certs_as_chain(cert_file).map_err(|why| {
            Failure::usage(format!("--client-cert {}: {why}", cert_file.display()))
        })?;
        let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| {
            Failure::usage(format!(
                "--client-key {}: not a PEM private key ({e}); give the key of the certificate, \
                 unencrypted (PKCS#8, PKCS#1 or SEC1)",
                key_file.display()
            ))
        })?;
        identities.push(ClientIdentity { host, chain, key });
    }
    if let Some((host, file)) = keys.first() {
        return Err(Failure::usage(format!(
            "--client-key {} has no --client-cert for {}; add the certificate it belongs to",
            file.display(),
            host.as_deref().unwrap_or("every host")
        )));
    }
    Ok(identities)
}

/// A client certificate chain: PEM certificates, the leaf first (not checked as CAs).
fn read_ca_certs_as_chain(
    path: &Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let chain = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate file: {e}"))?;
    if chain.is_empty() {
        return Err("no certificate in it (expected -----BEGIN CERTIFICATE-----)".into());
    }
    Ok(chain)
}

/// `--proxy`, else `HTTP_PROXY` / `HTTPS_PROXY` (or their lower-case forms), and `NO_PROXY`.
fn proxy(
    flag: Option<&str>,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<ProxySettings, Failure> {
    let var = |name: &str| {
        env(name)
            .or_else(|| env(&name.to_ascii_lowercase()))
            .filter(|v| !v.is_empty())
    };
    let parse = |source: &str, text: &str| -> Result<url::Url, Failure> {
        let with_scheme = if text.contains("://") {
            text.to_string()
        } else {
            format!("http://{text}")
        };
        let url = url::Url::parse(&with_scheme).map_err(|e| {
            Failure::usage(format!(
                "{source} {text:?} is not a proxy URL ({e}); use http://HOST:PORT"
            ))
        })?;
        if url.scheme() != "http" || url.host_str().is_none() {
            return Err(Failure::usage(format!(
                "{source} {text:?}: only http:// forward proxies are supported (https:// targets go \
                 through them with CONNECT); use http://HOST:PORT"
            )));
        }
        Ok(url)
    };
    let (http, https) = match flag {
        Some(text) => {
            let url = parse("--proxy", text)?;
            (Some(url.clone()), Some(url))
        }
        None => (
            var("HTTP_PROXY")
                .map(|t| parse("HTTP_PROXY", &t))
                .transpose()?,
            var("HTTPS_PROXY")
                .map(|t| parse("HTTPS_PROXY", &t))
                .transpose()?,
        ),
    };
    let no_proxy = var("NO_PROXY")
        .map(|list| {
            list.split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(ProxySettings {
        http,
        https,
        no_proxy,
    })
}

/// `HOST:PORT:ADDR` (an IPv6 ADDR may be bracketed).
fn resolve(text: &str) -> Result<ResolveOverride, String> {
    let bad = |why: &str| {
        format!("--resolve {text:?}: {why}; use HOST:PORT:ADDR, e.g. api.example.com:443:127.0.0.1")
    };
    let (host, rest) = text.split_once(':').ok_or_else(|| bad("no port"))?;
    let (port, addr) = rest.split_once(':').ok_or_else(|| bad("no address"))?;
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port = port.parse().map_err(|_| bad("the port is not a number"))?;
    let addr = addr
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .map_err(|_| bad("the address is not an IP address"))?;
    Ok(ResolveOverride {
        host: host.to_ascii_lowercase(),
        port,
        addr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_takes_host_port_and_address() {
        let r = resolve("API.example.com:443:127.0.0.2").unwrap();
        assert_eq!((r.host.as_str(), r.port), ("api.example.com", 443));
        assert_eq!(r.addr.to_string(), "127.0.0.2");
        assert_eq!(resolve("h:80:[::1]").unwrap().addr.to_string(), "::1");
        assert!(resolve("h:80").unwrap_err().contains("no address"));
        assert!(resolve("h:x:1.2.3.4").unwrap_err().contains("port"));
    }

    #[test]
    fn the_proxy_flag_wins_over_the_environment_and_no_proxy_is_read() {
        let env = |name: &str| match name {
            "HTTP_PROXY" => Some("http://env-proxy:3128".to_string()),
            "no_proxy" => Some("localhost, .internal".to_string()),
            _ => None,
        };
        let from_env = proxy(None, &env).unwrap();
        assert_eq!(from_env.http.unwrap().host_str(), Some("env-proxy"));
        assert_eq!(from_env.https, None);
        assert_eq!(from_env.no_proxy, ["localhost", ".internal"]);
        let from_flag = proxy(Some("127.0.0.1:8888"), &env).unwrap();
        assert_eq!(from_flag.https.unwrap().port(), Some(8888));
        assert!(proxy(Some("socks5://h:1"), &env).is_err());
    }
}
