//! What every VU's client shares (TCP settings, the TLS config, which HTTP versions to
//! speak) and how a connector's failure is told apart: TLS, or the connection itself.

use std::error::Error as StdError;
use std::net::IpAddr;
use std::sync::Arc;

use hyper_util::client::legacy::connect::HttpConnector;

use super::options::{HttpOptions, HttpVersions};
use super::outcome::SendError;

/// What every VU's client shares: TCP settings, the TLS config (webpki roots; HTTP/2 and
/// HTTP/1.1 offered by ALPN) and whether to speak h2c. Cloning a client from it costs a few
/// reference counts, not a copy of the settings.
#[derive(Clone)]
pub struct ClientSettings {
    pub(super) tcp: HttpConnector,
    pub(super) tls: Arc<rustls::ClientConfig>,
    /// Speak HTTP/2 to plain http:// origins (h2c, prior knowledge).
    pub(super) http2: bool,
    /// Local addresses to connect from, spread over the VUs (`--local-addr`), so that one
    /// machine can open more connections than one source address's ports allow.
    pub(super) local_addrs: Vec<IpAddr>,
    /// The run's HTTP options, read by every VU's client.
    pub(super) options: Arc<HttpOptions>,
}

impl ClientSettings {
    /// The settings of a run with these options. `options.ca_certs` are trusted besides the
    /// public web's roots (each was checked when read, see [`read_ca_certs`]).
    pub fn new(options: HttpOptions) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        roots.add_parsable_certificates(options.ca_certs.iter().cloned());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = match options.versions {
            HttpVersions::Http1Only => vec![b"http/1.1".to_vec()],
            _ => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        };
        Self {
            tcp,
            tls: Arc::new(tls),
            http2: options.versions == HttpVersions::H2cToo,
            local_addrs: options.local_addrs.clone(),
            options: Arc::new(options),
        }
    }

    /// The run's HTTP options.
    pub fn options(&self) -> &HttpOptions {
        &self.options
    }
}

/// The certificates of a PEM file, each checked to be usable as a trust anchor; an error
/// names what is wrong with the file.
pub fn read_ca_certs(
    path: &std::path::Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate file: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in it (expected -----BEGIN CERTIFICATE-----)".into());
    }
    let mut check = rustls::RootCertStore::empty();
    for (n, cert) in certs.iter().enumerate() {
        check
            .add(cert.clone())
            .map_err(|e| format!("certificate {} is not usable as a CA: {e}", n + 1))?;
    }
    Ok(certs)
}

/// Sorts a connector error into what the guest sees: TLS or connect.
pub(super) fn classify_connect(error: Box<dyn StdError + Send + Sync>) -> SendError {
    match find_tls_error(&*error) {
        Some(tls) => SendError::Tls(tls.to_string()),
        None => SendError::Connect(root_cause(&*error)),
    }
}

/// rustls's error anywhere in `error`'s chain. An `io::Error` wrapping another error does not
/// name it as its source (it skips to the inner error's own source), and TLS errors come
/// wrapped in two of them, so the search looks inside those too.
fn find_tls_error<'e>(error: &'e (dyn StdError + 'static)) -> Option<&'e rustls::Error> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    if let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && let Some(tls) = find_tls_error(inner)
    {
        return Some(tls);
    }
    error.source().and_then(find_tls_error)
}

/// The innermost error's message: "Connection refused (os error 111)" rather than hyper's
/// "client error (Connect)".
pub(super) fn root_cause(error: &(dyn StdError + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
