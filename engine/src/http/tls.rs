//! The TLS client configurations of a run: which roots are trusted (the public web's, the
//! system's, `--ca-cert` and `SSL_CERT_FILE`), or none with `--insecure`; which client
//! certificate each host is shown; which protocols ALPN offers.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

use super::options::{ClientIdentity, HttpOptions, HttpVersions};

/// One client configuration per client identity (rustls shows a configuration's certificate
/// to every server, and `ResolvesClientCert` is not told the server's name, so a per-host
/// identity needs a configuration of its own), chosen when a connection opens.
pub(super) struct TlsConfigs {
    /// For hosts without an identity of their own: the identity without a host, or none.
    default: Result<Arc<ClientConfig>, String>,
    /// `(host, configuration)` for each `--client-cert HOST=FILE`; a few at most, so a
    /// linear search on the cold path.
    per_host: Vec<(String, Result<Arc<ClientConfig>, String>)>,
}

impl TlsConfigs {
    pub(super) fn new(options: &HttpOptions) -> Self {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = Arc::new(roots(&options.ca_certs));
        let build = |identity: Option<&ClientIdentity>| {
            config(options, provider.clone(), roots.clone(), identity).map(Arc::new)
        };
        let default = build(options.identities.iter().find(|i| i.host.is_none()));
        let per_host = options
            .identities
            .iter()
            .filter_map(|identity| {
                let host = identity.host.as_ref()?;
                Some((host.clone(), build(Some(identity))))
            })
            .collect();
        Self { default, per_host }
    }

    /// The configuration for a connection to `host` (a name or an address, without
    /// brackets); an error says why the identity meant for it cannot be used.
    pub(super) fn for_host(&self, host: &str) -> Result<&Arc<ClientConfig>, String> {
        let config = self
            .per_host
            .iter()
            .find(|(h, _)| h.eq_ignore_ascii_case(host))
            .map_or(&self.default, |(_, config)| config);
        config.as_ref().map_err(Clone::clone)
    }
}

/// The trusted roots: the public web's (webpki-roots), the system's store, and the run's own
/// CAs.
fn roots(extra: &[CertificateDer<'static>]) -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    roots.add_parsable_certificates(system_roots().iter().cloned());
    roots.add_parsable_certificates(extra.iter().cloned());
    roots
}

/// The system's trust store (`/etc/ssl/certs` on Debian, as `rustls-native-certs` finds it),
/// read once per process: a company CA installed there is trusted as curl trusts it. An
/// unreadable store leaves the public web's roots and `--ca-cert`.
fn system_roots() -> &'static [CertificateDer<'static>] {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

fn config(
    options: &HttpOptions,
    provider: Arc<CryptoProvider>,
    roots: Arc<rustls::RootCertStore>,
    identity: Option<&ClientIdentity>,
) -> Result<ClientConfig, String> {
    let versions = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions");
    let verifying = if options.insecure {
        versions
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyServerCert(
                provider.signature_verification_algorithms,
            )))
    } else {
        versions.with_root_certificates(roots)
    };
    let mut config = match identity {
        Some(identity) => verifying
            .with_client_auth_cert(identity.chain.clone(), identity.key.clone_key())
            .map_err(|e| {
                format!(
                    "the client certificate for {} cannot be used ({e}); give a certificate and \
                     the key it was issued for",
                    identity.host.as_deref().unwrap_or("every host")
                )
            })?,
        None => verifying.with_no_client_auth(),
    };
    config.alpn_protocols = match options.versions {
        HttpVersions::Http1Only => vec![b"http/1.1".to_vec()],
        HttpVersions::Negotiated | HttpVersions::H2cToo => {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        }
    };
    Ok(config)
}

/// `--insecure`: any server certificate is accepted (expired, self-signed, another name's),
/// but the handshake's signatures are still checked, so the connection is still encrypted
/// to the key that certificate holds.
#[derive(Debug)]
struct AnyServerCert(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
