//! The few facts of an X.509 certificate that webpki does not give and
//! libzmq's checks (GnuTLS's) use: the validity period of a certificate
//! trusted as it is, and the subject's common names with whether any
//! subjectAltName names a host (a certificate without one is matched by
//! its common name). A bounded DER walk over the TBSCertificate, nothing
//! else: no recursion, every length checked against what holds it. Where
//! it fails says whether webpki would have read the certificate
//! ([`BadDer`]): webpki leaves the validity, the subject and the
//! subjectAltNames unread until it verifies.

/// What [`parse`] reads out of a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertFacts<'a> {
    /// notBefore and notAfter, in seconds since 1970 (UTC).
    pub not_before: i64,
    pub not_after: i64,
    /// The subject's commonName values, as their string octets (UTF8String,
    /// PrintableString, IA5String or T61String; others are left out).
    pub common_names: Vec<&'a [u8]>,
    /// A subjectAltName extension names a DNS name or an IP address.
    pub has_host_alt_names: bool,
}

/// Why a certificate could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadDer {
    /// Its outline: the elements webpki reads as it parses (the
    /// certificate and TBSCertificate sequences, their fields' framing,
    /// the extension list).
    Outline,
    /// The contents of a field webpki reads only when it verifies: the
    /// validity's times, the subject name, the subjectAltName list.
    Contents,
}

type R<T> = Result<T, BadDer>;

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const OCTET_STRING: u8 = 0x04;
const BOOLEAN: u8 = 0x01;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// tbsCertificate's [0] EXPLICIT version and [3] EXPLICIT extensions.
const VERSION: u8 = 0xA0;
const EXTENSIONS: u8 = 0xA3;
/// GeneralName's dNSName [2] and iPAddress [7] (IMPLICIT, primitive).
const DNS_NAME: u8 = 0x82;
const IP_ADDRESS: u8 = 0x87;
/// 2.5.4.3 and 2.5.29.17, as DER contents.
const OID_COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const OID_SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1D, 0x11];

/// Reads `der`, one certificate.
pub fn parse(der: &[u8]) -> R<CertFacts<'_>> {
    let mut outer = Reader::new(der);
    let cert = outer.expect(SEQUENCE)?;
    outer.end()?;
    let mut cert = Reader::new(cert);
    let mut tbs = Reader::new(cert.expect(SEQUENCE)?);
    if tbs.peek() == Some(VERSION) {
        tbs.any()?;
    }
    tbs.any()?; // serialNumber
    tbs.expect(SEQUENCE)?; // signature
    tbs.expect(SEQUENCE)?; // issuer
    let validity = tbs.expect(SEQUENCE)?;
    let subject = tbs.expect(SEQUENCE)?;
    tbs.expect(SEQUENCE)?; // subjectPublicKeyInfo
    let mut alt_names = None;
    while let Some(tag) = tbs.peek() {
        let body = tbs.any()?;
        if tag == EXTENSIONS {
            alt_names = subject_alt_name(body)?;
        }
    }
    let contents = |_| BadDer::Contents;
    let (not_before, not_after) = validity_times(validity).map_err(contents)?;
    Ok(CertFacts {
        not_before,
        not_after,
        common_names: common_names(subject).map_err(contents)?,
        has_host_alt_names: match alt_names {
            Some(list) => host_alt_names(list).map_err(contents)?,
            None => false,
        },
    })
}

fn validity_times(validity: &[u8]) -> R<(i64, i64)> {
    let mut validity = Reader::new(validity);
    let not_before = validity.time()?;
    let not_after = validity.time()?;
    validity.end()?;
    Ok((not_before, not_after))
}

/// The commonName values of a Name (SEQUENCE OF SET OF
/// AttributeTypeAndValue).
fn common_names(name: &[u8]) -> R<Vec<&[u8]>> {
    let mut names = Vec::new();
    let mut rdns = Reader::new(name);
    while !rdns.is_empty() {
        let mut rdn = Reader::new(rdns.expect(SET)?);
        while !rdn.is_empty() {
            let mut atv = Reader::new(rdn.expect(SEQUENCE)?);
            let oid = atv.expect(OID)?;
            let (tag, value) = atv.tlv()?;
            atv.end()?;
            // UTF8String, PrintableString, T61String, IA5String.
            if oid == OID_COMMON_NAME && matches!(tag, 0x0C | 0x13 | 0x14 | 0x16) {
                names.push(value);
            }
        }
    }
    Ok(names)
}

/// The subjectAltName extension's value among the extensions ([3] {
/// SEQUENCE OF Extension }), if there is one.
fn subject_alt_name(explicit: &[u8]) -> R<Option<&[u8]>> {
    let mut wrapper = Reader::new(explicit);
    let mut exts = Reader::new(wrapper.expect(SEQUENCE)?);
    wrapper.end()?;
    let mut found = None;
    while !exts.is_empty() {
        let mut ext = Reader::new(exts.expect(SEQUENCE)?);
        let oid = ext.expect(OID)?;
        if ext.peek() == Some(BOOLEAN) {
            ext.any()?;
        }
        let value = ext.expect(OCTET_STRING)?;
        ext.end()?;
        if oid == OID_SUBJECT_ALT_NAME {
            found = Some(value);
        }
    }
    Ok(found)
}

/// Whether a subjectAltName value (SEQUENCE OF GeneralName) names a DNS
/// name or an IP address.
fn host_alt_names(value: &[u8]) -> R<bool> {
    let mut outer = Reader::new(value);
    let mut names = Reader::new(outer.expect(SEQUENCE)?);
    outer.end()?;
    let mut found = false;
    while !names.is_empty() {
        let (tag, _) = names.tlv()?;
        found |= tag == DNS_NAME || tag == IP_ADDRESS;
    }
    Ok(found)
}

/// A cursor over DER: definite lengths only, low tag numbers only.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(der: &'a [u8]) -> Reader<'a> {
        Reader { rest: der }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn end(&self) -> R<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(BadDer::Outline)
        }
    }

    /// The next element's tag and contents.
    fn tlv(&mut self) -> R<(u8, &'a [u8])> {
        let [tag, first, rest @ ..] = self.rest else {
            return Err(BadDer::Outline);
        };
        // High tag numbers (0x1F) appear nowhere we read.
        if tag & 0x1F == 0x1F {
            return Err(BadDer::Outline);
        }
        let (len, rest) = match *first {
            n if n < 0x80 => (usize::from(n), rest),
            // Long form, up to four octets (a certificate is far smaller);
            // 0x80 is the indefinite form, which DER forbids.
            n @ 0x81..=0x84 => {
                let k = usize::from(n & 0x7F);
                if rest.len() < k {
                    return Err(BadDer::Outline);
                }
                let len = rest[..k]
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                (len, &rest[k..])
            }
            _ => return Err(BadDer::Outline),
        };
        if rest.len() < len {
            return Err(BadDer::Outline);
        }
        let (body, after) = rest.split_at(len);
        self.rest = after;
        Ok((*tag, body))
    }

    fn any(&mut self) -> R<&'a [u8]> {
        self.tlv().map(|(_, body)| body)
    }

    fn expect(&mut self, tag: u8) -> R<&'a [u8]> {
        match self.tlv()? {
            (t, body) if t == tag => Ok(body),
            _ => Err(BadDer::Outline),
        }
    }

    /// A Time: UTCTime `YYMMDDHHMMSSZ` (years 1950-2049, RFC 5280 4.1.2.5.1)
    /// or GeneralizedTime `YYYYMMDDHHMMSSZ`.
    fn time(&mut self) -> R<i64> {
        let (tag, text) = self.tlv()?;
        let (year, rest) = match (tag, text.len()) {
            (UTC_TIME, 13) => {
                let yy = digits(&text[..2])?;
                (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
            }
            (GENERALIZED_TIME, 15) => (digits(&text[..4])?, &text[4..]),
            _ => return Err(BadDer::Outline),
        };
        if rest[10] != b'Z' {
            return Err(BadDer::Outline);
        }
        let month = digits(&rest[0..2])?;
        let day = digits(&rest[2..4])?;
        let hour = digits(&rest[4..6])?;
        let minute = digits(&rest[6..8])?;
        let second = digits(&rest[8..10])?;
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return Err(BadDer::Outline);
        }
        Ok(days_since_epoch(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
    }
}

fn digits(text: &[u8]) -> R<i64> {
    text.iter().try_fold(0i64, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + i64::from(c - b'0'))
        } else {
            Err(BadDer::Outline)
        }
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (proleptic Gregorian), by
/// counting whole years, then the months of the last one.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let years = year - 1970;
    // Leap days in [1970, year): multiples of 4, less 100, plus 400,
    // counted from year 0 at both ends.
    let leaps_before = |y: i64| {
        let y = y - 1;
        y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)
    };
    let mut days = years * 365 + leaps_before(year) - leaps_before(1970);
    for m in 1..month {
        days += days_in_month(year, m);
    }
    days + day - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::CertificateDer;

    fn der(pem: &str) -> Vec<u8> {
        CertificateDer::from_pem_slice(pem.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec()
    }

    #[test]
    fn dates_are_unix_seconds() {
        assert_eq!(days_since_epoch(1970, 1, 1), 0);
        assert_eq!(days_since_epoch(2000, 3, 1), 11_017);
        // 2020-01-01T00:00:00Z and 2120-01-01T00:00:00Z (GNU date).
        assert_eq!(days_since_epoch(2020, 1, 1) * 86_400, 1_577_836_800);
        assert_eq!(days_since_epoch(2120, 1, 1) * 86_400, 4_733_510_400);
        assert_eq!(days_since_epoch(1969, 12, 31), -1);
        let t = |tag: u8, s: &str| {
            let mut v = vec![tag, s.len() as u8];
            v.extend_from_slice(s.as_bytes());
            let mut r = Reader::new(&v);
            r.time()
        };
        assert_eq!(t(UTC_TIME, "700101000001Z"), Ok(1));
        assert_eq!(t(UTC_TIME, "491231235959Z"), Ok(2_524_607_999));
        assert_eq!(t(UTC_TIME, "500101000000Z"), Ok(-631_152_000));
        assert_eq!(t(GENERALIZED_TIME, "20240229120000Z"), Ok(1_709_208_000));
        // Four-digit years reach back to year 0, and on to 9999.
        assert_eq!(t(GENERALIZED_TIME, "00000101000000Z"), Ok(-62_167_219_200));
        assert_eq!(t(GENERALIZED_TIME, "99991231235959Z"), Ok(253_402_300_799));
        for bad in [
            "20230229120000Z",
            "20241301000000Z",
            "20240100000000Z",
            "20240101240000Z",
            "20240101006000Z",
            "2024010100000aZ",
            "20240101000000+",
        ] {
            assert_eq!(t(GENERALIZED_TIME, bad), Err(BadDer::Outline), "{bad}");
        }
        assert_eq!(t(UTC_TIME, "20240101000000Z"), Err(BadDer::Outline));
        assert_eq!(t(OCTET_STRING, "700101000001Z"), Err(BadDer::Outline));
    }

    #[test]
    fn reads_the_test_certificates() {
        let server = der(include_str!("testdata/server.pem"));
        let f = parse(&server).unwrap();
        assert_eq!(f.common_names, [&b"zmq test server"[..]]);
        assert!(f.has_host_alt_names);
        assert_eq!((f.not_before, f.not_after), (1_577_836_800, 4_733_510_400));

        let pinned = der(include_str!("testdata/pinned.pem"));
        let f = parse(&pinned).unwrap();
        assert_eq!(f.common_names, [&b"zeromq.test"[..]]);
        assert!(!f.has_host_alt_names);

        let expired = der(include_str!("testdata/expired.pem"));
        let f = parse(&expired).unwrap();
        // 2000-01-01 and 2001-01-01, as UTCTime.
        assert_eq!((f.not_before, f.not_after), (946_684_800, 978_307_200));
    }

    #[test]
    fn refuses_what_is_cut_or_padded() {
        let server = der(include_str!("testdata/server.pem"));
        for n in 0..server.len() {
            assert_eq!(parse(&server[..n]), Err(BadDer::Outline), "cut at {n}");
        }
        let mut long = server.clone();
        long.push(0);
        assert_eq!(parse(&long), Err(BadDer::Outline));
        // notAfter as a UTF8String: a field webpki reads only to verify.
        let at = server.windows(2).position(|w| w == [0x18, 0x0F]).unwrap();
        let mut bad_time = server.clone();
        bad_time[at] = 0x0C;
        assert_eq!(parse(&bad_time), Err(BadDer::Contents));
        // Indefinite and oversized lengths.
        assert_eq!(parse(&[0x30, 0x80, 0, 0]), Err(BadDer::Outline));
        assert_eq!(parse(&[0x30, 0x85, 0, 0, 0, 0, 1, 0]), Err(BadDer::Outline));
        assert_eq!(
            parse(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
            Err(BadDer::Outline)
        );
        assert_eq!(parse(&[0x3F, 0x01, 0]), Err(BadDer::Outline));
    }
}
