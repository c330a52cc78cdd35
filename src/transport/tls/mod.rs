//! TLS for `wss://`: rustls (on ring) as a [`StreamLayer`], set up from
//! the ZMQ_WSS_* options as libzmq 4.3.4 sets up GnuTLS.
//!
//! - [`WssConfig`]: the options, copied when an endpoint is made, with the
//!   rustls configuration built from them once per endpoint (libzmq
//!   builds the server's credentials once per bind, and the client's per
//!   connection; the client's trust cannot change within an endpoint, so
//!   once is enough).
//! - [`client`], [`server`]: one connection's layer. [`check_server`]:
//!   what zmq_bind checks first.
//! - `verify`: how the client judges the server's certificate (libzmq's
//!   rules: see there); `x509`: the certificate facts webpki does not
//!   give; `layer`: the layer itself.
//!
//! What libzmq does, and where we differ:
//! - ZMQ_WSS_CERT_PEM / ZMQ_WSS_KEY_PEM: the server's chain and key, read
//!   at bind. libzmq asserts (aborts the process) when they do not load;
//!   here zmq_bind fails with EINVAL.
//! - ZMQ_WSS_TRUST_PEM / ZMQ_WSS_TRUST_SYSTEM: the client's anchors; with
//!   neither, every handshake fails. PEM that does not decode makes
//!   libzmq assert at connect time; here each connection fails (EINVAL
//!   from [`client`]) and is retried, as any failed connection is.
//! - ZMQ_WSS_HOSTNAME: the name the certificate must carry, and the SNI
//!   libzmq sends; unset, libzmq checks no name and sends no SNI. We
//!   check no name either, but send the endpoint's host as SNI when it is
//!   a DNS name (a server with several certificates then presents the
//!   right one; nothing is verified differently).
//! - The server asks for no client certificate, as libzmq's does. Neither
//!   side resumes sessions or sends close_notify (libzmq never calls
//!   gnutls_bye).

mod layer;
mod verify;
pub mod x509;

#[cfg(test)]
mod tests;

use crate::error::{Error, Result};
use crate::transport::StreamLayer;
use layer::TlsLayer;
use rustls::client::{Resumption, UnbufferedClientConnection};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::{NoServerSessionStorage, UnbufferedServerConnection};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::sync::{Arc, OnceLock};

/// The ZMQ_WSS_* options of one endpoint, and what is built from them.
#[derive(Clone, Default, PartialEq)]
pub struct WssConfig {
    key_pem: Vec<u8>,
    cert_pem: Vec<u8>,
    trust_pem: Vec<u8>,
    hostname: Vec<u8>,
    trust_system: bool,
    built: Built,
}

impl WssConfig {
    /// The options as set (the PEM values as given, empty if unset).
    pub fn new(
        key_pem: &[u8],
        cert_pem: &[u8],
        trust_pem: &[u8],
        hostname: &[u8],
        trust_system: bool,
    ) -> WssConfig {
        WssConfig {
            key_pem: key_pem.to_vec(),
            cert_pem: cert_pem.to_vec(),
            trust_pem: trust_pem.to_vec(),
            hostname: hostname.to_vec(),
            trust_system,
            built: Built::default(),
        }
    }
}

impl std::fmt::Debug for WssConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key stays out of logs and panic messages.
        f.debug_struct("WssConfig")
            .field("key_pem", &format_args!("<{} octets>", self.key_pem.len()))
            .field(
                "cert_pem",
                &format_args!("<{} octets>", self.cert_pem.len()),
            )
            .field(
                "trust_pem",
                &format_args!("<{} octets>", self.trust_pem.len()),
            )
            .field("hostname", &String::from_utf8_lossy(&self.hostname))
            .field("trust_system", &self.trust_system)
            .finish()
    }
}

/// The rustls configurations an endpoint's connections share, built on
/// first use. Clones of a [`WssConfig`] share them; they take no part in
/// comparisons (they follow from the options, which do).
#[derive(Clone, Default)]
struct Built {
    client: Arc<OnceLock<Result<Arc<ClientConfig>>>>,
    server: Arc<OnceLock<Result<Arc<ServerConfig>>>>,
}

impl PartialEq for Built {
    fn eq(&self, _: &Built) -> bool {
        true
    }
}

/// The layer for a connection this end made to `host` (the endpoint's
/// host, as in its `Host:` header: a name, an IPv4 address, or an IPv6
/// one in brackets). EINVAL if ZMQ_WSS_TRUST_PEM does not decode.
pub fn client(cfg: &WssConfig, host: &str) -> Result<Box<dyn StreamLayer>> {
    let config = cfg
        .built
        .client
        .get_or_init(|| client_config(cfg, system_roots))
        .clone()?;
    let conn = UnbufferedClientConnection::new(config, server_name(cfg, host))
        .map_err(|_| Error::EINVAL)?;
    Ok(Box::new(TlsLayer::new(conn)?))
}

/// The layer for a connection this end accepted. EINVAL if
/// ZMQ_WSS_CERT_PEM and ZMQ_WSS_KEY_PEM are not a certificate chain and
/// its key.
pub fn server(cfg: &WssConfig) -> Result<Box<dyn StreamLayer>> {
    let conn = UnbufferedServerConnection::new(server_config(cfg)?).map_err(|_| Error::EINVAL)?;
    Ok(Box::new(TlsLayer::new(conn)?))
}

/// What zmq_bind checks before it binds: that the certificate and key
/// load (EINVAL otherwise).
pub fn check_server(cfg: &WssConfig) -> Result<()> {
    server_config(cfg).map(drop)
}

fn server_config(cfg: &WssConfig) -> Result<Arc<ServerConfig>> {
    cfg.built
        .server
        .get_or_init(|| build_server_config(cfg))
        .clone()
}

/// rustls on ring, shared by every endpoint.
fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// The certificates of a PEM text; EINVAL for a section that does not
/// decode. Text around the sections is ignored, as GnuTLS ignores it.
fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| Error::EINVAL)
}

fn build_server_config(cfg: &WssConfig) -> Result<Arc<ServerConfig>> {
    let chain = certificates(&cfg.cert_pem)?;
    if chain.is_empty() {
        return Err(Error::EINVAL);
    }
    let key = PrivateKeyDer::from_pem_slice(&cfg.key_pem).map_err(|_| Error::EINVAL)?;
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|_| Error::EINVAL)?
        .with_no_client_auth()
        // Fails too when the key is not the certificate's.
        .with_single_cert(chain, key)
        .map_err(|_| Error::EINVAL)?;
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(Arc::new(config))
}

/// `system` gives ZMQ_WSS_TRUST_SYSTEM's anchors (a parameter so that
/// tests can stand in for the system's store).
fn client_config(
    cfg: &WssConfig,
    system: fn() -> Vec<CertificateDer<'static>>,
) -> Result<Arc<ClientConfig>> {
    let pinned = certificates(&cfg.trust_pem)?;
    let mut roots = RootCertStore::empty();
    // GnuTLS skips what it cannot use as an anchor too; such a certificate
    // can still be trusted as the server's own (see verify).
    roots.add_parsable_certificates(pinned.iter().cloned());
    if cfg.trust_system {
        roots.add_parsable_certificates(system());
    }
    let hostname = (!cfg.hostname.is_empty()).then(|| cfg.hostname.clone());
    let provider = provider();
    let verifier = verify::LibzmqVerifier::new(
        roots,
        pinned,
        hostname,
        provider.signature_verification_algorithms,
    );
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| Error::EINVAL)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.resumption = Resumption::disabled();
    Ok(Arc::new(config))
}

/// The system's trust anchors: the bundle and directory OpenSSL would
/// read (SSL_CERT_FILE and SSL_CERT_DIR if set; on Debian
/// /etc/ssl/certs), as GnuTLS reads its system trust. What cannot be
/// read is skipped.
fn system_roots() -> Vec<CertificateDer<'static>> {
    rustls_native_certs::load_native_certs().certs
}

/// The name rustls is given for a connection to `host`: what it sends as
/// SNI when it is a DNS name, nothing when it is an address. Our
/// verifier, not rustls, decides which name the certificate must carry.
fn server_name(cfg: &WssConfig, host: &str) -> ServerName<'static> {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let wanted = std::str::from_utf8(&cfg.hostname)
        .ok()
        .filter(|h| !h.is_empty());
    for candidate in wanted.into_iter().chain([host]) {
        if let Ok(name) = ServerName::try_from(candidate.to_owned()) {
            return name;
        }
    }
    ServerName::IpAddress(std::net::Ipv4Addr::UNSPECIFIED.into())
}
