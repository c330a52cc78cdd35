"""Fixed CURVE key pairs and PLAIN credentials of the security cases of
tests/interop/run (secpeer.py, peer.py badinput, rawsec.py). Test keys only:
each secret key is sha256('zmq-interop-' + name), each public key its
X25519 public key (rawsec.py checks them with python3-nacl). 32 raw octets
each, as ZMQ_CURVE_*KEY accept them."""

_HEX = {
    # name: (secret, public)
    'server': ('4da1f6a198ed9d97ba298db7bdfc115702433ef5f014ed82d9e6dc8802a1c6fb',
               'c5097986575b4dbc1aa34e17444a8d8e2b3e9e0d2426ec73d1602081e1759471'),
    'client': ('05d5c2547fdba14342019576313a65651251220911369c6fb78c499b6da71c0a',
               'd7c89e7471a3c14d128d71c5fbbdff5d07de2027460b58f6f61c39fb89cca25e'),
    'other-server': ('969f1898f2758af9a8f42734e0867e11c0c833c2b12bf7949f32e2dad961e587',
                     '720e3e557d6baf5879ab45e1c11d48592939b96d2374a7608f0769bb495de021'),
    'other-client': ('2e0f71889a67ff08ca139a999a67d012ca9886c098db9e7b6d8282e633f2a091',
                     'cfa60b66df9b87d2af5f9da99c05f46003ea7d17fa4c94e7d2485189cab51f53'),
    'raw-client': ('d554811e3a2fdd8068b987c816fd76ad499c894bf5afddcaecd0d1051686d7d0',
                   '850b24cd147936dbf6f41fd5dc6e960df3405b05ae809858c40ff39631222839'),
}

SECRET = {name: bytes.fromhex(s) for name, (s, p) in _HEX.items()}
PUBLIC = {name: bytes.fromhex(p) for name, (s, p) in _HEX.items()}

# PLAIN: what the ZAP handlers accept (username -> password).
PLAIN_USERS = {b'plain-user': b'plain-pass', b'raw-user': b'raw-pass'}
# CURVE: the client keys the ZAP handlers accept (public key -> User-Id).
CURVE_USERS = {PUBLIC['client']: b'curve-user', PUBLIC['raw-client']: b'raw-curve-user'}
ZAP_DOMAIN = b'interop'
# The ZAP reply's metadata: one property, attached to every message received
# over the connection (zmq_msg_gets).
ZAP_PROPERTY = (b'X-Zap-Tag', b'zap-meta')
