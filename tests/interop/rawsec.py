#!/usr/bin/python3
"""A raw PLAIN / CURVE client (no libzmq) for the `bad-input tcp PLAIN: ...`
and `bad-input tcp CURVE: ...` cases of tests/interop/run. It speaks ZMTP 3.1
itself, builds real PLAIN commands and real CURVE commands (RFC 26, boxes
made with python3-nacl), and breaks them as its act says, against the ROUTER
server of `peer.py badinput -1 tcp PLAIN|CURVE` (the library under test, with
a ZAP handler that accepts this peer's credentials: see curvekeys.py).

    rawsec.py ACT ENDPOINT
    rawsec.py --list                    the acts

Prints `OUTCOME dropped|kept|closed` once its act is over (dropped: the
server closed the connection; kept: still open after a quiet time; closed:
the raw peer closed it itself), keeps the connection open until the runner
writes a line (or closes stdin), then prints DONE. A failed check (a WELCOME
that does not open, a wrong echo, ...) is reported on stderr as FAIL and
exits 1.

It runs under the runner's --python (Debian's python3, which has
python3-nacl), not under the runner's own interpreter.
"""

import os
import random
import socket
import struct
import sys

from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey

from curvekeys import PUBLIC, SECRET

TIMEOUT = 20.0          # a hang guard for one read, as in the runner


class Failure(Exception):
    pass


# --------------------------------------------------------------------------
# ZMTP 3.1 framing

def greeting(mechanism):
    return (b'\xff' + b'\0' * 8 + b'\x7f' + bytes([3, 1]) + mechanism.ljust(20, b'\0')
            + b'\0' + b'\0' * 31)


def frame(body, flags=0):
    if len(body) < 256:
        return bytes([flags, len(body)]) + body
    return bytes([flags | 0x02]) + struct.pack('>Q', len(body)) + body


def command(body):
    return frame(body, 0x04)


def read_exact(conn, n, what):
    data = b''
    while len(data) < n:
        try:
            chunk = conn.recv(n - len(data))
        except socket.timeout:
            raise Failure('%s: nothing within %d s (got %r)' % (what, TIMEOUT, data))
        except ConnectionResetError:
            raise Failure('connection reset during %s (got %r)' % (what, data))
        if not chunk:
            raise Failure('connection closed during %s (got %r)' % (what, data))
        data += chunk
    return data


def read_frame(conn, what):
    flags = read_exact(conn, 1, what)[0]
    if flags & 0x02:
        size = struct.unpack('>Q', read_exact(conn, 8, what))[0]
    else:
        size = read_exact(conn, 1, what)[0]
    return flags, read_exact(conn, size, what)


def read_command(conn, what, prefix):
    flags, body = read_frame(conn, 'the ' + what)
    if not flags & 0x04 or not body.startswith(prefix):
        raise Failure('expected %s, got a frame with flags 0x%02x: %r'
                      % (what, flags, body[:40]))
    return body


def props(*pairs):
    out = b''
    for name, value in pairs:
        out += bytes([len(name)]) + name + struct.pack('>I', len(value)) + value
    return out


def parse_props(data, what):
    out, i = {}, 0
    while i < len(data):
        n = data[i]
        name = data[i + 1:i + 1 + n]
        i += 1 + n
        if i + 4 > len(data):
            raise Failure('%s: malformed metadata %r' % (what, data))
        vlen = struct.unpack('>I', data[i:i + 4])[0]
        out[name] = data[i + 4:i + 4 + vlen]
        i += 4 + vlen
    return out


DEALER_META = props((b'Socket-Type', b'DEALER'), (b'Identity', b''))
# A property whose value length runs past the end of the metadata.
META_OVERRUN = DEALER_META + b'\x05X-Bad' + struct.pack('>I', 1000) + b'short'
# One byte after the last whole property.
META_STRAY = DEALER_META + b'\x01'
# Valid, and large: 64 KiB in one property.
META_BIG = DEALER_META + props((b'X-Big', random.Random('interop-big-meta').randbytes(65536)))
META_PUB = props((b'Socket-Type', b'PUB'))
GARBAGE = random.Random('interop-plain-garbage').randbytes(40)


def start(conn, mechanism):
    """Greetings both ways; the server's must name the mechanism. Its
    as-server octet is 0: libzmq 4.3 never sets it."""
    conn.sendall(greeting(mechanism))
    g = read_exact(conn, 64, 'the greeting')
    if (g[0] != 0xff or g[9] != 0x7f or g[10] != 3
            or g[12:32].rstrip(b'\0') != mechanism or g[32] != 0):
        raise Failure('unexpected greeting %s (expected version 3, mechanism %s, as-server 0 '
                      'as libzmq sends it)' % (g.hex(), mechanism.decode()))


def send_ignoring_close(conn, data):
    """The server may close before reading it all (that is what we test)."""
    try:
        conn.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def observe(conn, quiet=3.0):
    """'dropped' if the server closes (FIN or RST), reading and ignoring
    anything it sends first; 'kept' if it is still open after `quiet` s."""
    conn.settimeout(quiet)
    while True:
        try:
            data = conn.recv(65536)
        except socket.timeout:
            return 'kept'
        except ConnectionResetError:
            return 'dropped'
        if not data:
            return 'dropped'


def flip(data, i):
    """`data` with the bits of byte i inverted (i < 0: from the end)."""
    i %= len(data)
    return data[:i] + bytes([data[i] ^ 0xff]) + data[i + 1:]


# --------------------------------------------------------------------------
# CURVE (RFC 26), client side; commands laid out as libzmq does

class Curve:
    def __init__(self, conn, client='raw-client'):
        self.conn = conn
        self.c = PrivateKey(SECRET[client])
        self.C = PUBLIC[client]
        self.S = PublicKey(PUBLIC['server'])
        self.cp = PrivateKey.generate()             # C'
        self.Cp = bytes(self.cp.public_key)
        self.nonce = 1                              # HELLO 1, INITIATE 2, MESSAGE 3...
        start(conn, b'CURVE')

    def short(self, nonce=None):
        if nonce is None:
            nonce = self.nonce
            self.nonce += 1
        return struct.pack('>Q', nonce)

    def hello(self, to=None, version=b'\x01\x00', cut=0, extra=b''):
        n = self.short()
        box = Box(self.cp, PublicKey(to) if to else self.S).encrypt(
            b'\0' * 64, b'CurveZMQHELLO---' + n).ciphertext
        body = b'\x05HELLO' + version + b'\0' * 72 + self.Cp + n + box + extra
        assert len(body) == 200 + len(extra)
        return command(body[:len(body) - cut])

    def welcome(self):
        body = read_command(self.conn, 'WELCOME', b'\x07WELCOME')
        if len(body) != 168:
            raise Failure('WELCOME of %d bytes, expected 168' % len(body))
        try:
            pt = Box(self.cp, self.S).decrypt(body[24:], b'WELCOME-' + body[8:24])
        except CryptoError:
            raise Failure('the WELCOME box does not open')
        self.sp = PublicKey(pt[:32])                # S'
        self.cookie = pt[32:]
        self.box = Box(self.cp, self.sp)

    def initiate(self, **kw):
        return command(self.initiate_body(**kw))

    def initiate_body(self, metadata=DEALER_META, vouch_key=None, vouch_cp=None, vouch_s=None,
                      cookie=None):
        vn = os.urandom(16)
        vk = PrivateKey(SECRET[vouch_key]) if vouch_key else self.c
        vouch = vn + Box(vk, self.sp).encrypt(
            (vouch_cp or self.Cp) + (vouch_s or bytes(self.S)), b'VOUCH---' + vn).ciphertext
        n = self.short()
        box = self.box.encrypt(self.C + vouch + metadata, b'CurveZMQINITIATE' + n).ciphertext
        return (b'\x08INITIATE' + (cookie if cookie is not None else self.cookie)
                + n + box)

    def ready(self):
        body = read_command(self.conn, 'READY', b'\x05READY')
        try:
            meta = self.box.decrypt(body[14:], b'CurveZMQREADY---' + body[6:14])
        except CryptoError:
            raise Failure('the READY box does not open')
        st = parse_props(meta, 'READY').get(b'Socket-Type')
        if st != b'ROUTER':
            raise Failure('READY Socket-Type %r, expected ROUTER' % st)

    def handshake(self, **initiate):
        self.conn.sendall(self.hello())
        self.welcome()
        self.conn.sendall(self.initiate(**initiate))
        self.ready()

    def message(self, payload, nonce=None, more=False, inner=None, outer=0):
        """A MESSAGE; `inner` is the flags octet in the box (default: MORE
        as `more` says), `outer` the frame's own flags (libzmq sends 0)."""
        n = self.short(nonce)
        if inner is None:
            inner = 1 if more else 0
        box = self.box.encrypt(bytes([inner]) + payload,
                               b'CurveZMQMESSAGEC' + n).ciphertext
        return frame(b'\x07MESSAGE' + n + box, outer)

    def read_message(self, what):
        flags, body = read_frame(self.conn, what)
        if not body.startswith(b'\x07MESSAGE'):
            raise Failure('%s: expected a MESSAGE, got flags 0x%02x %r'
                          % (what, flags, body[:40]))
        try:
            pt = self.box.decrypt(body[16:], b'CurveZMQMESSAGES' + body[8:16])
        except CryptoError:
            raise Failure('%s: the MESSAGE box does not open' % what)
        return pt[0], pt[1:]

    def echo(self, payload, nonce=None):
        """Sends a one-frame message; the ROUTER echoes it."""
        self.conn.sendall(self.message(payload, nonce))
        got = self.read_message('the echo of %r' % payload)
        if got != (0, payload):
            raise Failure('echo: flags 0x%02x %r, expected 0x00 %r' % (got[0], got[1], payload))


def curve(fn):
    return lambda conn: fn(conn, Curve(conn))


@curve
def c_ok(conn, cv):
    cv.handshake()
    cv.echo(b'raw hello')
    return observe(conn, 1.5)


def c_hello(**kw):
    @curve
    def act(conn, cv):
        send_ignoring_close(conn, cv.hello(**kw))
        return observe(conn)
    return act


@curve
def c_initiate_first(conn, cv):
    body = b'\x08INITIATE' + random.Random('interop-initiate').randbytes(96 + 8 + 144 + 35)
    send_ignoring_close(conn, command(body))
    return observe(conn)


def c_after_welcome(make):
    """HELLO, WELCOME, then what make(cv) returns instead of a good INITIATE."""
    @curve
    def act(conn, cv):
        conn.sendall(cv.hello())
        cv.welcome()
        send_ignoring_close(conn, make(cv))
        return observe(conn)
    return act


def c_initiate(**kw):
    """HELLO, WELCOME, an INITIATE made with kw; if the server answers with
    READY, a message that must come back."""
    @curve
    def act(conn, cv):
        conn.sendall(cv.hello())
        cv.welcome()
        send_ignoring_close(conn, cv.initiate(**kw))
        try:
            cv.ready()
        except Failure:
            return observe(conn)
        cv.echo(b'raw hello')
        return observe(conn, 1.5)
    return act


def c_after_handshake(make, echo_first=None):
    """A good handshake (and an echoed message with nonce echo_first, if
    given), then what make(cv) returns."""
    @curve
    def act(conn, cv):
        cv.handshake()
        if echo_first is not None:
            cv.echo(b'raw hello', nonce=echo_first)
        send_ignoring_close(conn, make(cv))
        return observe(conn)
    return act


def c_then_echo(make):
    """A good handshake, what make(cv) returns (which the server must take
    without closing, and without echoing unless `make` reads the echo
    itself), then a message that must come back."""
    @curve
    def act(conn, cv):
        cv.handshake()
        conn.sendall(make(cv))
        cv.echo(b'raw hello')
        return observe(conn, 1.5)
    return act


def c_outer_more(cv):
    """MESSAGE 'raw one' in a frame with MORE set outside the box only,
    then 'raw two' with no flags at all: libzmq ORs the frame's flags into
    the decrypted message's, so the server gets (and echoes) one message of
    two frames."""
    cv.conn.sendall(cv.message(b'raw one', outer=0x01) + cv.message(b'raw two'))
    got = (cv.read_message('the echo of raw one'), cv.read_message('the echo of raw two'))
    if got != ((1, b'raw one'), (0, b'raw two')):
        raise Failure('echo: %r, expected raw one (MORE) then raw two' % (got,))
    return b''


@curve
def c_close_after_welcome(conn, cv):
    conn.sendall(cv.hello())
    cv.welcome()
    conn.close()
    return 'closed'


# --------------------------------------------------------------------------
# PLAIN (ZMTP 3.1 / RFC 23), client side

def p_hello(user=b'raw-user', password=b'raw-pass'):
    return b'\x05HELLO' + bytes([len(user)]) + user + bytes([len(password)]) + password


def p_welcome(conn):
    body = read_command(conn, 'WELCOME', b'\x07WELCOME')
    if body != b'\x07WELCOME':
        raise Failure('WELCOME %r, expected exactly 07 WELCOME' % body)


def p_ready(conn):
    body = read_command(conn, 'READY', b'\x05READY')
    st = parse_props(body[6:], 'READY').get(b'Socket-Type')
    if st != b'ROUTER':
        raise Failure('READY Socket-Type %r, expected ROUTER' % st)


def p_ok(conn):
    start(conn, b'PLAIN')
    conn.sendall(command(p_hello()))
    p_welcome(conn)
    conn.sendall(command(b'\x08INITIATE' + DEALER_META))
    p_ready(conn)
    conn.sendall(frame(b'raw hello'))
    flags, body = read_frame(conn, 'the echo of the message')
    if (flags, body) != (0, b'raw hello'):
        raise Failure('echo: flags 0x%02x %r, expected 0x00 %r' % (flags, body, b'raw hello'))
    return observe(conn, 1.5)


def p_first(data):
    """The greeting, then `data` (raw bytes) as the first thing."""
    def act(conn):
        start(conn, b'PLAIN')
        send_ignoring_close(conn, data)
        return observe(conn)
    return act


def p_after_welcome(data):
    def act(conn):
        start(conn, b'PLAIN')
        conn.sendall(command(p_hello()))
        p_welcome(conn)
        send_ignoring_close(conn, data)
        return observe(conn)
    return act


def p_wrong_password(conn):
    """ZAP says 400: the server sends ERROR (libzmq's bytes: `5E 'RROR'`, its
    "\\x05ERROR" literal read as \\x5E), then closes."""
    start(conn, b'PLAIN')
    conn.sendall(command(p_hello(password=b'wrong')))
    flags, body = read_frame(conn, 'the ERROR command')
    want = b'\x5eRROR\x03400'
    if (flags, body) != (0x04, want):
        raise Failure('got flags 0x%02x %r, expected the ERROR command 0x04 %r (libzmq\'s '
                      'bytes)' % (flags, body, want))
    return observe(conn)


def p_close_after_welcome(conn):
    start(conn, b'PLAIN')
    conn.sendall(command(p_hello()))
    p_welcome(conn)
    conn.close()
    return 'closed'


ACTS = {
    # CURVE
    'curve-ok': c_ok,
    'curve-hello-199': c_hello(cut=1),
    'curve-hello-201': c_hello(extra=b'\0'),
    'curve-hello-version-2': c_hello(version=b'\x02\x00'),
    'curve-hello-box': c_hello(to=PUBLIC['other-server']),
    'curve-initiate-first': c_initiate_first,
    'curve-hello-twice': c_after_welcome(lambda cv: cv.hello()),
    'curve-message-before-initiate': c_after_welcome(lambda cv: cv.message(b'raw hello')),
    'curve-initiate-256': c_after_welcome(
        lambda cv: command(cv.initiate_body()[:256])),
    'curve-initiate-cookie': c_after_welcome(lambda cv: cv.initiate(cookie=flip(cv.cookie, 40))),
    'curve-initiate-box': c_after_welcome(lambda cv: flip(cv.initiate(), -1)),
    'curve-initiate-and-message': c_after_welcome(
        lambda cv: cv.initiate() + cv.message(b'raw hello')),
    'curve-vouch-box': c_initiate(vouch_key='other-client'),
    'curve-vouch-short-key': c_initiate(vouch_cp=PUBLIC['other-client']),
    'curve-vouch-server-key': c_initiate(vouch_s=PUBLIC['other-server']),
    'curve-meta-overrun': c_initiate(metadata=META_OVERRUN),
    'curve-meta-stray': c_initiate(metadata=META_STRAY),
    'curve-meta-big': c_initiate(metadata=META_BIG),
    'curve-meta-pub': c_initiate(metadata=META_PUB),
    'curve-message-replay': c_after_handshake(lambda cv: cv.message(b'raw replay', nonce=3),
                                              echo_first=3),
    'curve-message-decreasing': c_after_handshake(lambda cv: cv.message(b'raw back', nonce=9),
                                                  echo_first=10),
    'curve-message-nonce-2': c_after_handshake(lambda cv: cv.message(b'raw hello', nonce=2)),
    'curve-message-box': c_after_handshake(lambda cv: flip(cv.message(b'raw hello'), -1)),
    'curve-message-short': c_after_handshake(
        lambda cv: frame(b'\x07MESSAGE' + cv.short() + b'\0' * 16)),
    'curve-message-clear': c_after_handshake(lambda cv: frame(b'raw hello')),
    'curve-message-outer-command': c_then_echo(
        lambda cv: cv.message(b'raw command', outer=0x04)),
    'curve-message-inner-command': c_then_echo(
        lambda cv: cv.message(b'raw command', inner=0x02)),
    'curve-message-outer-more': c_then_echo(c_outer_more),
    'curve-close-after-welcome': c_close_after_welcome,
    # PLAIN
    'plain-ok': p_ok,
    'plain-hello-bare': p_first(command(b'\x05HELLO')),
    'plain-hello-user-overrun': p_first(command(b'\x05HELLO' + bytes([50]) + b'raw-user')),
    'plain-hello-password-overrun': p_first(
        command(b'\x05HELLO\x08raw-user' + bytes([50]) + b'raw-pass')),
    'plain-hello-extra': p_first(command(p_hello() + b'x')),
    'plain-initiate-first': p_first(command(b'\x08INITIATE' + DEALER_META)),
    'plain-garbage-with-hello': p_first(command(p_hello()) + command(GARBAGE)),
    'plain-garbage-after-welcome': p_after_welcome(command(GARBAGE)),
    'plain-hello-twice': p_after_welcome(command(p_hello())),
    'plain-message-before-initiate': p_after_welcome(frame(b'raw hello')),
    'plain-meta-overrun': p_after_welcome(command(b'\x08INITIATE' + META_OVERRUN)),
    'plain-wrong-password': p_wrong_password,
    'plain-close-after-welcome': p_close_after_welcome,
}


def connect(endpoint):
    if not endpoint.startswith('tcp://'):
        raise Failure('endpoint %s: only tcp' % endpoint)
    host, port = endpoint[len('tcp://'):].rsplit(':', 1)
    return socket.create_connection((host, int(port)), timeout=TIMEOUT)


def main(argv):
    if argv == ['--list']:
        print('\n'.join(ACTS))
        return 0
    act, endpoint = argv
    for name in SECRET:
        if bytes(PrivateKey(SECRET[name]).public_key) != PUBLIC[name]:
            raise SystemExit('curvekeys.py: %s: the public key does not match' % name)
    conn = None
    try:
        conn = connect(endpoint)
        outcome = ACTS[act](conn)
    except Failure as e:
        print('FAIL (raw peer, %s): %s' % (act, e), file=sys.stderr, flush=True)
        return 1
    print('OUTCOME ' + outcome, flush=True)
    sys.stdin.readline()        # until the runner is done with the server
    conn.close()
    print('DONE', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
