#!/usr/bin/python3
"""One side of an interop case, spawned by tests/interop/run.

The runner starts this script twice per case, under /usr/bin/python3 (Debian's
pyzmq), each time with an LD_LIBRARY_PATH that selects the libzmq.so.5 under
test: ours for one side, Debian's libzmq for the other.

    peer.py exchange  PAIRING TYPE bind    TRANSPORT
    peer.py exchange  PAIRING TYPE connect ENDPOINT
    peer.py mismatch  TYPE bind    TRANSPORT
    peer.py mismatch  TYPE connect ENDPOINT
    peer.py wire      TYPE bind    TRANSPORT     (the runner is the raw peer)
    peer.py wire      TYPE connect ENDPOINT
    peer.py badinput  MAXMSGSIZE TRANSPORT [MECH]   (the runner, or rawsec.py for
                                                    MECH PLAIN/CURVE, is the raw peer)
    peer.py probe                                   (only the LIB line)

Control channel (stdout to the runner, stdin from it), one line each:
    LIB <path of the loaded libzmq> <zmq_version()>   first line, always
    ENDPOINT <endpoint>                               the binding side, once bound
    SIGNAL <name>                                     forwarded by the runner to
                                                      the other side's stdin
    DONE                                              every check passed
A failed check is reported on stderr and exits with status 1.
"""

import errno
import os
import random
import select
import sys
import time
import traceback

import zmq
from zmq.utils.monitor import recv_monitor_message

# Hang guards, not pass criteria: one exchange must not wait longer than this.
TIMEOUT_MS = 20000
TIMEOUT_S = TIMEOUT_MS / 1000.0
MIB = 1 << 20


class Failure(Exception):
    pass


T0 = time.monotonic()


def trace(what):
    """Progress with timestamps on stderr (shown by `run -v` / `-vv`)."""
    print('[%7.3f s] %s' % (time.monotonic() - T0, what), file=sys.stderr, flush=True)


def loaded_libzmq():
    """The file the dynamic loader mapped for libzmq.so.5."""
    with open('/proc/self/maps') as maps:
        for line in maps:
            fields = line.split(None, 5)
            if len(fields) == 6 and 'libzmq' in os.path.basename(fields[5].strip()):
                return fields[5].strip()
    return '?'


# --------------------------------------------------------------------------
# The control channel

class Ctl:
    def __init__(self):
        self.buf = b''
        self.got = set()

    @staticmethod
    def send(line):
        sys.stdout.write(line + '\n')
        sys.stdout.flush()

    def signal(self, name):
        self.send('SIGNAL ' + name)

    def _pump(self, timeout):
        ready, _, _ = select.select([0], [], [], max(timeout, 0))
        if not ready:
            return
        data = os.read(0, 4096)
        if not data:
            raise Failure('the runner closed the control channel')
        self.buf += data
        while b'\n' in self.buf:
            line, self.buf = self.buf.split(b'\n', 1)
            line = line.decode()
            if line.startswith('SIGNAL '):
                self.got.add(line[len('SIGNAL '):])

    def poll(self, name):
        self._pump(0)
        return name in self.got

    def wait(self, name, timeout=TIMEOUT_S):
        deadline = time.monotonic() + timeout
        while name not in self.got:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure('timed out waiting for the peer signal %r' % name)
            self._pump(left)

    def barrier(self, name):
        self.signal(name)
        self.wait(name)


# --------------------------------------------------------------------------
# Messages and checks

def big(tag):
    """1 MiB of deterministic pseudo-random bytes (the same in both processes)."""
    return random.Random('interop-' + tag).randbytes(MIB)


def messages(tag):
    """What one side sends in an exchange: a multipart message with an empty
    frame, an empty message, a 1 MiB message, a multipart message holding a
    1 MiB frame and ending with an empty frame."""
    t = tag.encode()
    return [
        [t + b' multipart', b'', b'third frame', bytes(range(256))],
        [b''],
        [big(tag)],
        [t + b' big frame follows', big(tag + '-2'), b''],
    ]


def show(msg):
    if isinstance(msg, (bytes, bytearray)):
        msg = [msg]
    parts = []
    for frame in msg:
        frame = bytes(frame)
        text = repr(frame[:16]) + ('...' if len(frame) > 16 else '')
        parts.append('%s(%d bytes)' % (text, len(frame)))
    return '[' + ', '.join(parts) + ']'


def expect(got, want, what):
    if got != want:
        raise Failure('%s: got %s, expected %s' % (what, show(got), show(want)))


def recv(sock, what):
    try:
        return sock.recv_multipart()
    except zmq.Again:
        raise Failure('%s: nothing received within %d s (RCVTIMEO)' % (what, TIMEOUT_S))


def send(sock, msg, what):
    try:
        sock.send_multipart(msg)
    except zmq.Again:
        raise Failure('%s: could not send within %d s (SNDTIMEO)' % (what, TIMEOUT_S))


def send_when_routable(sock, msg, what):
    """ROUTER with ROUTER_MANDATORY: retry while the peer is unknown (EHOSTUNREACH)."""
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            sock.send_multipart(msg)
            return
        except zmq.ZMQError as e:
            if e.errno != errno.EHOSTUNREACH:
                raise
            if time.monotonic() > deadline:
                raise Failure('%s: peer %r still unreachable (EHOSTUNREACH) after %d s'
                              % (what, msg[0], TIMEOUT_S))
            time.sleep(0.01)


def publish_until(ctl, signal, publish):
    """Slow joiner: publish warm-up messages until the subscriber reports it got one."""
    deadline = time.monotonic() + TIMEOUT_S
    while not ctl.poll(signal):
        if time.monotonic() > deadline:
            raise Failure('the subscriber never reported %r (%d s)' % (signal, TIMEOUT_S))
        publish()
        time.sleep(0.02)


# --------------------------------------------------------------------------
# Exchanges. Each function plays one socket of a pairing; `binder` says
# whether this side bound. Every exchange ends with a barrier so that
# neither side closes before the other has checked everything.

def req_side(sock):
    reqs, reps = messages('req'), messages('rep')
    for i, (q, r) in enumerate(zip(reqs, reps)):
        send(sock, q, 'request %d' % i)
        expect(recv(sock, 'reply %d' % i), r, 'reply %d' % i)


def rep_side(sock):
    reqs, reps = messages('req'), messages('rep')
    for i, (q, r) in enumerate(zip(reqs, reps)):
        expect(recv(sock, 'request %d' % i), q, 'request %d' % i)
        send(sock, r, 'reply %d' % i)


def play_req_rep(sock, me, binder, ctl):
    if me == 'REQ':
        req_side(sock)
    else:
        rep_side(sock)


def play_req_router(sock, me, binder, ctl):
    if me == 'REQ':
        req_side(sock)
        return
    reqs, reps = messages('req'), messages('rep')
    for i, (q, r) in enumerate(zip(reqs, reps)):
        got = recv(sock, 'request %d' % i)
        expect(got[:2], [b'req-id', b''], 'request %d: routing id and delimiter' % i)
        expect(got[2:], q, 'request %d' % i)
        send(sock, [got[0], b''] + r, 'reply %d' % i)


def play_dealer_rep(sock, me, binder, ctl):
    reqs, reps = messages('dealer'), messages('rep')
    if me == 'DEALER':
        for i, q in enumerate(reqs):       # pipelined: all requests first
            send(sock, [b''] + q, 'request %d' % i)
        for i, r in enumerate(reps):
            expect(recv(sock, 'reply %d' % i), [b''] + r, 'reply %d' % i)
    else:
        for i, (q, r) in enumerate(zip(reqs, reps)):
            expect(recv(sock, 'request %d' % i), q, 'request %d' % i)
            send(sock, r, 'reply %d' % i)


def check_generated_id(rid, what):
    # libzmq's generated routing ids: a zero byte, then a 32-bit counter.
    if len(rid) != 5 or rid[0] != 0:
        raise Failure('%s: generated routing id %s is not 5 bytes starting with 0'
                      % (what, show(rid)))


def play_dealer_router(sock, me, binder, ctl):
    reqs, reps = messages('dealer'), messages('router')
    if me == 'DEALER':
        for i, q in enumerate(reqs):
            send(sock, q, 'request %d' % i)
        for i, r in enumerate(reps):
            expect(recv(sock, 'reply %d' % i), r, 'reply %d' % i)
    else:
        rid = None
        for i, q in enumerate(reqs):
            got = recv(sock, 'request %d' % i)
            if rid is None:
                rid = got[0]
                check_generated_id(rid, 'request 0')
            expect(got[0], rid, 'request %d: routing id' % i)
            expect(got[1:], q, 'request %d' % i)
        for i, r in enumerate(reps):
            send(sock, [rid] + r, 'reply %d' % i)


def play_symmetric(sock, me, binder, ctl):
    """DEALER-DEALER and PAIR-PAIR: the connecting side sends first."""
    mine, theirs = ('bind', 'connect') if binder else ('connect', 'bind')
    if not binder:
        for i, m in enumerate(messages(mine)):
            send(sock, m, 'message %d' % i)
    for i, m in enumerate(messages(theirs)):
        expect(recv(sock, 'message %d' % i), m, 'message %d' % i)
    if binder:
        for i, m in enumerate(messages(mine)):
            send(sock, m, 'message %d' % i)


def play_router_router(sock, me, binder, ctl):
    """The connecting ROUTER has ROUTING_ID 'conn-router'; the binding one
    sends to it first (ROUTER_MANDATORY, retrying until it is reachable) and
    the connecting one replies to the routing id it saw."""
    to_conn, to_bind = messages('router-bind'), messages('router-connect')
    if binder:
        send_when_routable(sock, [b'conn-router'] + to_conn[0], 'message 0')
        for i, m in enumerate(to_conn[1:], 1):
            send(sock, [b'conn-router'] + m, 'message %d' % i)
        for i, m in enumerate(to_bind):
            got = recv(sock, 'reply %d' % i)
            expect(got[0], b'conn-router', 'reply %d: routing id' % i)
            expect(got[1:], m, 'reply %d' % i)
    else:
        rid = None
        for i, m in enumerate(to_conn):
            got = recv(sock, 'message %d' % i)
            if rid is None:
                rid = got[0]
                check_generated_id(rid, 'message 0')
            expect(got[0], rid, 'message %d: routing id' % i)
            expect(got[1:], m, 'message %d' % i)
        for i, m in enumerate(to_bind):
            send(sock, [rid] + m, 'reply %d' % i)


def play_push_pull(sock, me, binder, ctl):
    msgs = messages('push') + [[b'seq %d' % i] for i in range(200)]
    if me == 'PUSH':
        for i, m in enumerate(msgs):
            send(sock, m, 'message %d' % i)
    else:
        for i, m in enumerate(msgs):
            expect(recv(sock, 'message %d' % i), m, 'message %d' % i)


def pubsub_sequence():
    """What the publisher sends once the subscriber has joined: the 'other/'
    messages must be filtered out (subscription 'topic')."""
    return [
        [b'other/1'],
        [b'topic/1 multipart', b'', b'third'],
        [b'other/2 big', big('other')],
        [b'topic/big ' + big('pub')],
        [b'topic/3', big('pub-2'), b''],
        [b'otherwise/topic'],
        [b'topic/end'],
    ]


def play_pub_sub(sock, me, binder, ctl):
    seq = pubsub_sequence()
    wanted = [m for m in seq if m[0].startswith(b'topic')]
    if me == 'PUB':
        def warm():
            sock.send(b'topic/warm')
            sock.send(b'other/warm')
        publish_until(ctl, 'joined', warm)
        for i, m in enumerate(seq):
            send(sock, m, 'message %d' % i)
        # Phase 2: the subscriber adds the empty prefix (everything).
        publish_until(ctl, 'subscribed-all', lambda: sock.send(b'warm2'))
        send(sock, [b''], 'empty message')
        send(sock, [b'fin'], 'last message')
    else:
        sock.setsockopt(zmq.SUBSCRIBE, b'topic')
        got = recv(sock, 'first warm-up message')
        expect(got, [b'topic/warm'], 'first message (a warm-up)')
        ctl.signal('joined')
        got = recv(sock, 'message 0')
        while got == [b'topic/warm']:
            got = recv(sock, 'message 0')
        for i, m in enumerate(wanted):
            if i:
                got = recv(sock, 'message %d' % i)
            expect(got, m, 'filtered message %d' % i)
        sock.setsockopt(zmq.SUBSCRIBE, b'')
        expect(recv(sock, 'phase 2 warm-up'), [b'warm2'],
               'first message after subscribing to everything')
        ctl.signal('subscribed-all')
        got = recv(sock, 'empty message')
        while got == [b'warm2']:
            got = recv(sock, 'empty message')
        expect(got, [b''], 'empty message')
        expect(recv(sock, 'last message'), [b'fin'], 'last message')


def play_xpub_xsub(sock, me, binder, ctl):
    seq = pubsub_sequence()
    wanted = [m for m in seq if m[0].startswith(b'topic')]
    upstream = [b'upstream', b'', big('xsub')]
    last = [b'last', b'', big('xpub-last')]
    if me == 'XPUB':
        expect(recv(sock, 'subscription'), [b'\x01topic'], 'subscription message')
        for i, m in enumerate(seq):
            send(sock, m, 'message %d' % i)
        expect(recv(sock, 'upstream message'), upstream, 'user message from XSUB')
        expect(recv(sock, 'unsubscription'), [b'\x00topic'], 'unsubscription message')
        expect(recv(sock, 'subscription 2'), [b'\x01final'], 'second subscription message')
        send(sock, [b'topic/after unsubscribe'], 'message after unsubscribe')
        send(sock, [b'final/1'], 'message for the second subscription')
        expect(recv(sock, 'subscription 3'), [b'\x01'], 'subscription to everything')
        send(sock, [b''], 'empty message')
        send(sock, last, 'last message')
    else:
        send(sock, [b'\x01topic'], 'subscription')
        for i, m in enumerate(wanted):
            expect(recv(sock, 'message %d' % i), m, 'filtered message %d' % i)
        send(sock, upstream, 'upstream message')
        send(sock, [b'\x00topic'], 'unsubscription')
        send(sock, [b'\x01final'], 'subscription 2')
        expect(recv(sock, 'message after the second subscription'), [b'final/1'],
               'first message after unsubscribing topic and subscribing final')
        send(sock, [b'\x01'], 'subscription to everything')
        expect(recv(sock, 'empty message'), [b''], 'empty message')
        expect(recv(sock, 'last message'), last, 'last message')


PAIRINGS = {
    'REQ-REP': play_req_rep,
    'REQ-ROUTER': play_req_router,
    'DEALER-REP': play_dealer_rep,
    'DEALER-ROUTER': play_dealer_router,
    'DEALER-DEALER': play_symmetric,
    'ROUTER-ROUTER': play_router_router,
    'PUB-SUB': play_pub_sub,
    'XPUB-XSUB': play_xpub_xsub,
    'PUSH-PULL': play_push_pull,
    'PAIR-PAIR': play_symmetric,
}


def configure(sock, pairing, me, binder):
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    sock.linger = 2000
    if pairing == 'REQ-ROUTER' and me == 'REQ':
        sock.setsockopt(zmq.ROUTING_ID, b'req-id')
    if me == 'ROUTER':
        sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
    if pairing == 'ROUTER-ROUTER' and not binder:
        sock.setsockopt(zmq.ROUTING_ID, b'conn-router')


# --------------------------------------------------------------------------
# Incompatible pairings

EVENT_NAMES = {getattr(zmq, n): n[len('EVENT_'):] for n in dir(zmq)
               if n.startswith('EVENT_') and n not in ('EVENT_ALL',)}


class Monitor:
    def __init__(self, sock):
        self.mon = sock.get_monitor_socket()
        self.events = []

    def pump(self, timeout_s):
        if self.mon.poll(int(timeout_s * 1000)):
            ev = recv_monitor_message(self.mon)
            self.events.append(EVENT_NAMES.get(ev['event'], str(ev['event'])))
            return True
        return False

    def wait_for(self, name, timeout_s=TIMEOUT_S):
        deadline = time.monotonic() + timeout_s
        while name not in self.events:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure('no %s monitor event within %d s; events: %s'
                              % (name, timeout_s, ' '.join(self.events)))
            self.pump(left)

    def drain(self, duration_s):
        deadline = time.monotonic() + duration_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.pump(left)


# How many peer-closed connections (each followed by a reconnect) a
# connecting socket may show instead of closing one itself (see mismatch()).
PEER_CLOSES = 3

CAN_SEND = {'PUSH', 'PUB', 'REQ', 'DEALER', 'PAIR', 'REP', 'ROUTER', 'XPUB', 'XSUB'}
CAN_RECV = {'PULL', 'SUB', 'REQ', 'DEALER', 'PAIR', 'REP', 'ROUTER', 'XPUB', 'XSUB'}


def attempts(events, opened, complete):
    """Splits monitor events into connection attempts, each one
    [opened, DISCONNECTED] ('self': this side saw the incompatible READY and
    closed) or [opened, HANDSHAKE_FAILED_NO_DETAIL, DISCONNECTED] ('peer':
    the peer closed first, mid-handshake). LISTENING, CONNECT_DELAYED and
    CONNECT_RETRIED are left out (they depend on the transport and timing).
    Anything else (HANDSHAKE_SUCCEEDED, other HANDSHAKE_FAILED_* events, a
    connection left open when `complete`) is a failure."""
    seq = [e for e in events if e not in ('LISTENING', 'CONNECT_DELAYED', 'CONNECT_RETRIED')]
    out, i = [], 0
    while i < len(seq):
        if seq[i] == opened and seq[i + 1:i + 2] == ['DISCONNECTED']:
            out.append('self')
            i += 2
        elif seq[i] == opened and seq[i + 1:i + 3] == ['HANDSHAKE_FAILED_NO_DETAIL',
                                                       'DISCONNECTED']:
            out.append('peer')
            i += 3
        elif seq[i:] in ([opened], [opened, 'HANDSHAKE_FAILED_NO_DETAIL']) and not complete:
            break                   # under way
        else:
            raise Failure('monitor events %s: expected %s, then DISCONNECTED (optionally '
                          'HANDSHAKE_FAILED_NO_DETAIL just before it), per connection; no '
                          'HANDSHAKE_SUCCEEDED' % (' '.join(events), opened))
    return out


def mismatch(sock, me, binder, ctl, mon):
    """What libzmq 4.3.4 does when the peer's READY names an incompatible
    socket type (checked with Debian's libzmq on both sides):
    - the side that sees the incompatible READY (it has sent its own READY)
      closes the connection: its monitor shows CONNECTED/ACCEPTED then
      DISCONNECTED, no handshake event. That is a protocol error: a
      connecting socket's session ends there, it does not reconnect;
    - a side that sees the connection closed before it has read the peer's
      READY shows HANDSHAKE_FAILED_NO_DETAIL, then DISCONNECTED; a
      connecting socket then reconnects (a connection error), and the next
      handshake fails again;
    - neither side shows HANDSHAKE_SUCCEEDED, and no message crosses.
    Which side closes first is a race (both happen with libzmq): a binding
    libzmq reads a READY that arrives with the end of the greeting before it
    writes its own, and then closes without sending READY."""
    if me == 'SUB':
        sock.setsockopt(zmq.SUBSCRIBE, b'')
    sent = False
    if me in CAN_SEND:
        try:
            sock.send(b'must not be delivered', zmq.DONTWAIT)
            sent = True
        except zmq.Again:
            pass            # no pipe: fine, nothing to deliver
    opened = 'ACCEPTED' if binder else 'CONNECTED'
    deadline = time.monotonic() + TIMEOUT_S
    if binder:
        # Until the connecting side is done watching.
        mon.wait_for('DISCONNECTED')
        while not ctl.poll('connecter-final'):
            if time.monotonic() > deadline:
                raise Failure('timed out waiting for the connecting side; events: %s'
                              % ' '.join(mon.events))
            mon.pump(0.05)
    else:
        # Until a connection ends on this side's protocol error (libzmq then
        # stops), or until it has reconnected after the peer closed a few
        # times (which one happens is the handshake race above).
        while True:
            att = attempts(mon.events, opened, False)
            if 'self' in att or att.count('peer') >= PEER_CLOSES:
                break
            if time.monotonic() > deadline:
                raise Failure('within %d s, neither a connection closed on a protocol error '
                              'by this side, nor %d connections closed by the peer and '
                              'reconnected (libzmq reconnects after a connection error); '
                              'events: %s' % (TIMEOUT_S, PEER_CLOSES, ' '.join(mon.events)))
            mon.pump(0.05)
    if me in CAN_RECV and (me != 'REQ' or sent):
        sock.rcvtimeo = 1000
        try:
            got = sock.recv_multipart()
            raise Failure('a message was delivered over an incompatible pairing: %s'
                          % show(got))
        except zmq.Again:
            pass
    # Keep watching: a reconnect, or a late HANDSHAKE_SUCCEEDED, would show here.
    mon.drain(1.0)
    if not binder:
        ctl.signal('connecter-final')
    ctl.barrier('observed')
    mon.drain(0.1)
    ev = mon.events
    stopped = not binder and 'self' in attempts(ev, opened, False)
    # Still reconnecting (or, for the binding side, accepting): the last
    # connection may be mid-handshake.
    att = attempts(ev, opened, stopped)
    if not att:
        raise Failure('monitor events %s: no connection seen' % ' '.join(ev))
    if stopped and att.index('self') != len(att) - 1:
        raise Failure('monitor events %s: reconnected after closing on a protocol error '
                      '(libzmq ends the session)' % ' '.join(ev))
    print('events: ' + ' '.join(ev), file=sys.stderr)


def wire(sock, me, binder, ctl, mon):
    """The runner is a raw ZMTP peer; here we only report monitor events
    after it is done."""
    ctl.wait('raw-done')
    mon.drain(0.2)
    ctl.send('EVENTS ' + ' '.join(mon.events))
    ctl.wait('bye')


# --------------------------------------------------------------------------
# Bad input: a ROUTER binds (with a monitor), a well-behaved DEALER of the
# same library (in this process, its own context) exchanges messages with it
# all along, and the runner connects as a raw peer that misbehaves.

GOOD_ID = b'good-dealer'
PHASE_MSGS = 50


class GoodPeer:
    """The DEALER: every message it sends is echoed by the ROUTER; it counts
    what it sent and what came back, which must be the same sequence."""
    def __init__(self, ctx, endpoint, setup=None):
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.ROUTING_ID, GOOD_ID)
        if setup is not None:
            setup(self.sock)
        self.sock.rcvtimeo = TIMEOUT_MS
        self.sock.sndtimeo = TIMEOUT_MS
        self.sock.linger = 0
        self.sock.connect(endpoint)
        self.sent = 0
        self.echoed = 0

    def round(self, router, raw_msgs):
        """One message there and back. A message from another peer (the raw
        one) that the ROUTER reads meanwhile is recorded and echoed to it."""
        body = b'good %d' % self.sent
        send(self.sock, [body], 'good message %d' % self.sent)
        self.sent += 1
        while True:
            got = recv(router, 'good message %d at the ROUTER' % (self.sent - 1))
            if got[0] != GOOD_ID:
                raw_msgs.append(got[1:])
                router.send_multipart(got)          # echo to the raw peer
                continue
            expect(got[1:], [body], 'good message %d at the ROUTER (lost or reordered?)'
                   % (self.sent - 1))
            send(router, got, 'echo %d' % (self.sent - 1))
            break
        expect(recv(self.sock, 'echo %d' % self.echoed), [body],
               'echo %d at the DEALER' % self.echoed)
        self.echoed += 1


def badinput(argv, ctl):
    """peer.py badinput MAXMSGSIZE TRANSPORT [MECH]. With MECH PLAIN or CURVE,
    the ROUTER is a PLAIN / CURVE server with a ZAP handler in its context
    (secpeer.ZapHandler: it accepts the credentials of curvekeys.py, the good
    DEALER's and the raw peer's), and the good DEALER its client.
    Reports ENDPOINT once the good DEALER has exchanged PHASE_MSGS messages;
    keeps exchanging until the runner's SIGNAL raw-done (then waits for
    DISCONNECTED after SIGNAL expect-drop, or just watches 1 s), exchanges
    PHASE_MSGS more, then
    reports the monitor events after the good connection's (EVENTS, with
    HANDSHAKE_FAILED_* values as NAME:0x...), RAW (messages the ROUTER got
    from other peers than the DEALER) and GOOD <sent> <echoed>."""
    maxmsgsize, transport = int(argv[0]), argv[1]
    mech = argv[2] if len(argv) > 2 else 'NULL'
    ctx = zmq.Context()
    zap, setup = None, None
    if mech != 'NULL':
        import secpeer
        zap = secpeer.ZapHandler(ctx, mech, 'check')
        setup = lambda sock: secpeer.make_client(sock, mech)
    router = ctx.socket(zmq.ROUTER)
    if mech != 'NULL':
        secpeer.make_server(router, mech)
    router.rcvtimeo = TIMEOUT_MS
    router.sndtimeo = TIMEOUT_MS
    router.linger = 0
    if maxmsgsize >= 0:
        router.setsockopt(zmq.MAXMSGSIZE, maxmsgsize)
    mon_sock = router.get_monitor_socket()
    events = []

    def pump(timeout_s):
        if mon_sock.poll(int(timeout_s * 1000)):
            ev = recv_monitor_message(mon_sock)
            name = EVENT_NAMES.get(ev['event'], str(ev['event']))
            if name.startswith('HANDSHAKE_FAILED'):
                name += ':0x%x' % ev['value']
            events.append(name)
            return True
        return False

    def wait_event(prefix, start):
        deadline = time.monotonic() + TIMEOUT_S
        while not any(e.startswith(prefix) for e in events[start:]):
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure('no %s monitor event within %d s; events: %s'
                              % (prefix, TIMEOUT_S, ' '.join(events)))
            pump(left)

    router.bind('tcp://127.0.0.1:*' if transport == 'tcp' else 'ipc://*')
    endpoint = router.getsockopt_string(zmq.LAST_ENDPOINT)
    gctx = zmq.Context()
    good = GoodPeer(gctx, endpoint, setup)
    if mech != 'NULL':
        # A PLAIN / CURVE handshake that fails fails the case at once, not
        # at RCVTIMEO.
        deadline = time.monotonic() + TIMEOUT_S
        while 'HANDSHAKE_SUCCEEDED' not in events:
            if any(e.startswith('HANDSHAKE_FAILED') or e == 'DISCONNECTED' for e in events):
                raise Failure('the good DEALER\'s %s handshake failed; ROUTER events: %s'
                              % (mech, ' '.join(events)))
            if time.monotonic() > deadline:
                raise Failure('the good DEALER\'s %s handshake did not complete within %d s; '
                              'ROUTER events: %s' % (mech, TIMEOUT_S, ' '.join(events)))
            pump(0.05)
    raw_msgs = []
    for _ in range(PHASE_MSGS):
        good.round(router, raw_msgs)
    wait_event('HANDSHAKE_SUCCEEDED', 0)
    while pump(0.1):
        pass
    mark = len(events)
    trace('good DEALER: %d messages echoed; events so far: %s'
          % (good.echoed, ' '.join(events)))
    ctl.send('ENDPOINT ' + endpoint)
    # The raw peer misbehaves meanwhile: keep the good one talking.
    while not ctl.poll('raw-done'):
        good.round(router, raw_msgs)
        pump(0.01)
    during = good.echoed - PHASE_MSGS
    if ctl.poll('expect-drop'):
        # Not a failure here: the runner compares the events it gets.
        deadline = time.monotonic() + 5.0
        while 'DISCONNECTED' not in events[mark:] and time.monotonic() < deadline:
            good.round(router, raw_msgs)
            pump(0.02)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:         # late events; raw messages
        good.round(router, raw_msgs)
        pump(0.02)
    for _ in range(PHASE_MSGS):
        good.round(router, raw_msgs)
    while pump(0.1):
        pass
    trace('good DEALER: %d sent, %d echoed (%d while the raw peer misbehaved)'
          % (good.sent, good.echoed, during))
    ctl.send('EVENTS ' + ' '.join(events[mark:]))
    ctl.send('RAW ' + ' '.join(repr(m) for m in raw_msgs))
    ctl.send('GOOD %d %d' % (good.sent, good.echoed))
    ctl.wait('bye')
    router.disable_monitor()
    mon_sock.close(0)
    good.sock.close()
    router.close()
    if zap is not None:
        zap.close()         # raises on a malformed ZAP request
    gctx.term()
    ctx.term()
    ctl.send('DONE')
    return 0


# --------------------------------------------------------------------------

def fail(me, how, e):
    # (secpeer.py's Failure is this module's, imported under its own name.)
    if not isinstance(e, Failure) and type(e).__name__ != 'Failure':
        traceback.print_exc()
        e = '%s: %s' % (type(e).__name__, e)
    print('FAIL (%s %s %s): %s' % (me, how, loaded_libzmq(), e), file=sys.stderr)
    sys.stderr.flush()
    os._exit(1)          # do not wait for linger or context termination


def main(argv):
    ctl = Ctl()
    ctl.send('LIB %s %s' % (loaded_libzmq(), zmq.zmq_version()))
    kind = argv[0]
    if kind == 'probe':         # the runner's check of which library loads
        return 0
    if kind == 'badinput':
        try:
            return badinput(argv[1:], ctl)
        except Exception as e:
            fail('ROUTER', 'bind', e)
    if kind == 'exchange':
        pairing, me, how, where = argv[1:5]
    elif kind in ('mismatch', 'wire'):
        pairing = None
        me, how, where = argv[1:4]
    else:
        raise SystemExit('peer.py: unknown kind %r' % kind)
    binder = how == 'bind'

    ctx = zmq.Context()
    sock = ctx.socket(getattr(zmq, me))
    mon = None
    try:
        if kind == 'exchange':
            configure(sock, pairing, me, binder)
        else:
            sock.linger = 0
            mon = Monitor(sock)
        if binder:
            sock.bind('tcp://127.0.0.1:*' if where == 'tcp' else 'ipc://*')
            ctl.send('ENDPOINT ' + sock.getsockopt_string(zmq.LAST_ENDPOINT))
        else:
            sock.connect(where)

        trace('%s %s %s' % (me, 'bound to' if binder else 'connecting to',
                            sock.getsockopt_string(zmq.LAST_ENDPOINT) if binder else where))
        if kind == 'exchange':
            PAIRINGS[pairing](sock, me, binder, ctl)
            trace('exchange done')
            ctl.barrier('end')
            trace('the peer is done too')
        elif kind == 'mismatch':
            mismatch(sock, me, binder, ctl, mon)
        else:
            wire(sock, me, binder, ctl, mon)
    except Exception as e:
        fail(me, how, e)
    # The connecting side closes first: a connecting SUB/XSUB whose peer went
    # away first would reconnect and queue its subscriptions again, and then
    # wait for LINGER at close (libzmq does that too).
    try:
        if binder and kind == 'exchange':
            ctl.wait('closed')
        trace('checks passed; closing')
        if mon is not None:
            sock.disable_monitor()
            mon.mon.close(0)
        sock.close()
        ctx.term()
        trace('socket closed, context terminated')
        if not binder:
            ctl.signal('closed')
    except Exception as e:
        fail(me, how, e)
    ctl.send('DONE')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
