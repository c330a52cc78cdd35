//! How a wss client judges the server's certificate: what libzmq 4.3.4
//! asks of GnuTLS (`gnutls_certificate_verify_peers3` with
//! ZMQ_WSS_HOSTNAME, or with no name when that is unset), redone over
//! webpki.
//!
//! - The chain must lead to a trust anchor: ZMQ_WSS_TRUST_PEM's
//!   certificates, and the system's with ZMQ_WSS_TRUST_SYSTEM. With
//!   neither, nothing is trusted and every handshake fails, as in libzmq.
//! - A certificate given in ZMQ_WSS_TRUST_PEM and presented as the
//!   server's own is trusted as it is, within its validity period (GnuTLS
//!   ends a chain at a trusted certificate). webpki alone would refuse
//!   the self-signed CA certificates this is mostly used with (libzmq's
//!   test_wss_transport has one) as end-entities.
//! - The name is checked only when ZMQ_WSS_HOSTNAME is set, against the
//!   subjectAltNames, or the subject's common name when no
//!   subjectAltName names a host (GnuTLS's fallback; webpki reads only
//!   subjectAltNames). Without ZMQ_WSS_HOSTNAME, libzmq checks no name,
//!   and neither do we.

use super::x509;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, Error, RootCertStore, SignatureScheme};

#[derive(Debug)]
pub(super) struct LibzmqVerifier {
    roots: RootCertStore,
    /// ZMQ_WSS_TRUST_PEM's certificates, DER.
    pinned: Vec<CertificateDer<'static>>,
    /// ZMQ_WSS_HOSTNAME (None: unset).
    hostname: Option<Vec<u8>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl LibzmqVerifier {
    pub(super) fn new(
        roots: RootCertStore,
        pinned: Vec<CertificateDer<'static>>,
        hostname: Option<Vec<u8>>,
        algorithms: WebPkiSupportedAlgorithms,
    ) -> LibzmqVerifier {
        LibzmqVerifier {
            roots,
            pinned,
            hostname,
            algorithms,
        }
    }

    fn check_name(&self, end_entity: &CertificateDer<'_>, hostname: &[u8]) -> Result<(), Error> {
        let refused = Error::InvalidCertificate(CertificateError::NotValidForName);
        let text = std::str::from_utf8(hostname).map_err(|_| refused.clone())?;
        if let Ok(name) = ServerName::try_from(text) {
            let parsed = ParsedCertificate::try_from(end_entity)?;
            match verify_server_name(&parsed, &name) {
                Ok(()) => return Ok(()),
                Err(Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                )) => {}
                Err(e) => return Err(e),
            }
        }
        let facts = x509::parse(end_entity)
            .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
        // The common name counts only without host subjectAltNames, and
        // only if there is exactly one.
        match facts.common_names.as_slice() {
            [cn] if !facts.has_host_alt_names && name_matches(cn, text) => Ok(()),
            _ => Err(refused),
        }
    }
}

impl ServerCertVerifier for LibzmqVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self
            .pinned
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            let facts = x509::parse(end_entity)
                .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
            let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
            if now < facts.not_before {
                return Err(Error::InvalidCertificate(CertificateError::NotValidYet));
            }
            if now > facts.not_after {
                return Err(Error::InvalidCertificate(CertificateError::Expired));
            }
        } else {
            let parsed = ParsedCertificate::try_from(end_entity)?;
            verify_server_cert_signed_by_trust_anchor(
                &parsed,
                &self.roots,
                intermediates,
                now,
                self.algorithms.all,
            )?;
        }
        if let Some(hostname) = &self.hostname {
            self.check_name(end_entity, hostname)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// A common name against the host name asked for: equal ignoring ASCII
/// case (and one trailing dot of the host), or `*.rest` for a host with
/// one more label in front of `rest`, where `rest` has a dot itself.
fn name_matches(pattern: &[u8], host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).as_bytes();
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    let Some(rest) = pattern.strip_prefix(b"*.") else {
        return false;
    };
    let Some(dot) = host.iter().position(|&c| c == b'.') else {
        return false;
    };
    dot > 0 && rest.contains(&b'.') && host[dot + 1..].eq_ignore_ascii_case(rest)
}

#[cfg(test)]
mod tests {
    use super::name_matches;

    #[test]
    fn common_names_match_as_gnutls_matches_them() {
        assert!(name_matches(b"zeromq.org", "zeromq.org"));
        assert!(name_matches(b"ZeroMQ.org", "zeromq.ORG"));
        assert!(name_matches(b"zeromq.org", "zeromq.org."));
        assert!(!name_matches(b"zeromq.org", "www.zeromq.org"));
        assert!(!name_matches(b"zeromq.org", "zeromq.or"));
        assert!(name_matches(b"*.zeromq.org", "www.zeromq.org"));
        assert!(!name_matches(b"*.zeromq.org", "a.b.zeromq.org"));
        assert!(!name_matches(b"*.zeromq.org", ".zeromq.org"));
        assert!(!name_matches(b"*.zeromq.org", "zeromq.org"));
        assert!(!name_matches(b"*.org", "zeromq.org"));
        assert!(!name_matches(b"", "zeromq.org"));
        assert!(!name_matches(b"127.0.0.1", "127.0.0.2"));
        assert!(name_matches(b"127.0.0.1", "127.0.0.1"));
    }
}
