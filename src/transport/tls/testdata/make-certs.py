#!/usr/bin/env python3
"""Writes the wss unit tests' certificates and keys (PEM) into this
directory. Run by hand (needs python3-cryptography); the output is checked
in, so the tests need nothing but the files.

- ca: a CA; server: a leaf it signed, for localhost, zmq.test,
  *.wild.test and 127.0.0.1 (EC P-256, PKCS#8).
- other-ca: an unrelated CA, whose trust must not admit `server`.
- pinned: self-signed, CA:TRUE, subject CN=zeromq.test and no
  subjectAltName, RSA 2048 (PKCS#8): as libzmq's test_wss_transport uses
  its certificate, directly trusted and named by its CN only.
- expired: self-signed, CN=zeromq.test, valid 2000-2001 only.
- server-rsa1: `server`'s names on an RSA key written as PKCS#1.
"""
import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
START = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2120, 1, 1, tzinfo=datetime.timezone.utc)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def write(stem, cert, key, key_format=serialization.PrivateFormat.PKCS8):
    with open(os.path.join(HERE, stem + ".pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        with open(os.path.join(HERE, stem + ".key"), "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, key_format,
                                      serialization.NoEncryption()))


def builder(subject, issuer, key, start=START, end=END):
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end))


def ca(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (builder(name(cn), name(cn), key)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    return cert, key


def leaf(ca_cert, ca_key, key):
    sans = [x509.DNSName("localhost"), x509.DNSName("zmq.test"), x509.DNSName("*.wild.test"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    return (builder(name("zmq test server"), ca_cert.subject, key)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))


def self_signed(key, start=START, end=END):
    return (builder(name("zeromq.test"), name("zeromq.test"), key, start, end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))


ca_cert, ca_key = ca("zmq test CA")
write("ca", ca_cert, None)
server_key = ec.generate_private_key(ec.SECP256R1())
write("server", leaf(ca_cert, ca_key, server_key), server_key)
rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
write("server-rsa1", leaf(ca_cert, ca_key, rsa_key), rsa_key,
      serialization.PrivateFormat.TraditionalOpenSSL)
other_cert, _ = ca("zmq other CA")
write("other-ca", other_cert, None)
pinned_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
write("pinned", self_signed(pinned_key), pinned_key)
expired_key = ec.generate_private_key(ec.SECP256R1())
write("expired", self_signed(expired_key,
                             datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc),
                             datetime.datetime(2001, 1, 1, tzinfo=datetime.timezone.utc)),
      expired_key)
