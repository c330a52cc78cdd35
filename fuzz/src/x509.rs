//! X.509 certificates as the wss client reads them when webpki's answer
//! is not enough (`transport::tls::x509`: validity of a directly trusted
//! certificate, common names): arbitrary DER in, no panic; what parses
//! is exactly one certificate (an octet more or less is refused), its
//! names lie inside the input and its dates within what the formats can
//! say; and whatever webpki accepts as an end-entity certificate parses,
//! but for the fields webpki reads only when it verifies (validity,
//! subject, subjectAltName contents: `BadDer::Contents`).

use rustls_pki_types::CertificateDer;
use zmq::transport::tls::x509::{parse, BadDer};

/// The first second of year 0 and the last of 9999: what a
/// GeneralizedTime (four-digit years, no fractions, Z) can say.
const EARLIEST: i64 = -62_167_219_200;
const LATEST: i64 = 253_402_300_799;

pub fn x509(data: &[u8]) {
    let webpki_accepts = webpki::EndEntityCert::try_from(&CertificateDer::from(data)).is_ok();
    let facts = match parse(data) {
        Ok(f) => f,
        Err(BadDer::Contents) => return,
        Err(BadDer::Outline) => {
            assert!(!webpki_accepts, "webpki reads a certificate we refuse");
            return;
        }
    };
    for t in [facts.not_before, facts.not_after] {
        assert!((EARLIEST..=LATEST).contains(&t), "{t}");
    }
    let range = data.as_ptr_range();
    for cn in &facts.common_names {
        let r = cn.as_ptr_range();
        assert!(range.start <= r.start && r.end <= range.end, "a name outside the input");
    }
    let mut longer = data.to_vec();
    longer.push(0);
    assert_eq!(parse(&longer), Err(BadDer::Outline));
    assert_eq!(parse(&data[..data.len() - 1]), Err(BadDer::Outline));
}
