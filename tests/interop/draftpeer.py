#!/usr/bin/python3
"""One side of a draft-socket case of tests/interop/run (draft_cases.py):
RADIO/DISH over udp (unicast or multicast) or tcp, and DGRAM over udp,
through the draft API pyzmq lacks (draftapi.py: ctypes on pyzmq's libzmq).

    draftpeer.py dish  udp bind GROUPLEN HOST[:PORT]   (no port: a free one)
    draftpeer.py radio udp connect GROUPLEN ENDPOINT
    draftpeer.py dish|radio tcp bind GROUPLEN -
    draftpeer.py dish|radio tcp connect GROUPLEN ENDPOINT
    draftpeer.py dgram answer                          binds, answers
    draftpeer.py dgram ask ENDPOINT                    binds, asks ENDPOINT
    draftpeer.py api                                   one process: misuse

The control channel is peer.py's (LIB, ENDPOINT, SIGNAL, DONE; FAIL on
stderr and exit 1). GROUPLEN is the length of the long group the DISH joins
(255 is ZMQ_GROUP_MAX_LENGTH; over udp libzmq 4.3.4's DISH aborts on a
datagram whose group is over 127 octets, so a case with libzmq's DISH uses
127 there).

RADIO/DISH, three phases, the DISH having joined `weather` and the long
group before it binds or connects:
1. warm-up: the RADIO sends `warm` to both groups until the DISH has seen it
   in each (a slow joiner over udp, and over tcp until its JOINs arrived);
2. a sequence mixing joined groups with others that must be filtered out
   (`weathe`, a prefix, and `weather2`, an extension: groups match exactly),
   an empty body, a body filling a datagram (udp: 8192 octets with the
   group) or of 1 MiB (tcp), all checked byte for byte and in order;
3. the DISH leaves `weather` and joins `second`; the RADIO sends to both
   until `second` arrives (nothing for `weather` may arrive any more), then
   a last message to each group.
`api` (a case of its own, one process) checks the errors a library gives
for misuse (a join of 256 octets, a join twice, a leave of a group not
joined, sending on a DISH, receiving on a RADIO, SNDMORE on a RADIO) and
that a group of 256 octets set on a message is cut to 255: libzmq 4.3.4's
behaviours.

DGRAM: both sides bind udp://127.0.0.1:PORT; the asker sends its first
question until the answer comes back (the answerer's socket is bound by
its io thread, after zmq_bind returned), then the others one at a time.
Every message is an address frame and a body. The address frame received
is libzmq's `127.0.0.1:PORT` and a NUL (checked against the sender's port);
one sent has no NUL from the asker, and the answerer sends back the one it
received, NUL included (libzmq parses either). The answer is the question
reversed. Bodies:
empty, 256 octets of every value, 8192 octets (libzmq's largest datagram).
"""

import errno
import random
import socket
import sys
import time

import zmq

import peer
from draftapi import DGRAM, DISH, RADIO, Draft, ZmqError
from peer import Ctl, Failure, TIMEOUT_MS, TIMEOUT_S, expect, show, trace

MAX_DATAGRAM = 8192         # libzmq 4.3.4's udp buffer
WEATHER, SECOND = b'weather', b'second'
WARM, WARM2 = b'warm', b'warm2'


def long_group(n):
    """n printable octets, no NUL (a group is a C string)."""
    return bytes(0x21 + (i * 7) % 94 for i in range(n))


def body(tag, n):
    return random.Random('draft-' + tag).randbytes(n)


def free_udp_port(host):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def udp_bind(sock, where):
    """Binds udp://WHERE (HOST: a free port); returns HOST:PORT."""
    if ':' not in where:
        where = '%s:%d' % (where, free_udp_port(where))
    sock.bind('udp://' + where)
    return where


def expect_errno(d, what, want, fn, *args):
    got = d.errno_of(fn, *args)
    if got != want:
        raise Failure('%s: %s, expected %s (libzmq 4.3.4)'
                      % (what, errno.errorcode.get(got, got) if got else 'succeeded',
                         errno.errorcode[want]))


def recv_group(d, sock, what):
    try:
        return d.recv(sock)
    except ZmqError as e:
        if e.errno == errno.EAGAIN:
            raise Failure('%s: nothing received within %d s (RCVTIMEO)' % (what, TIMEOUT_S))
        raise


def until_signal(ctl, name, step, what):
    deadline = time.monotonic() + TIMEOUT_S
    while not ctl.poll(name):
        if time.monotonic() > deadline:
            raise Failure('%s: the peer never reported %r (%d s)' % (what, name, TIMEOUT_S))
        step()
        time.sleep(0.02)


def gshow(msg):
    group, data = msg
    return '(group %s, %s)' % (show(group)[1:-1], show(data)[1:-1])


# --------------------------------------------------------------------------
# RADIO / DISH

def sequence(transport, glong):
    """Phase 2: (group, body, delivered?)."""
    big = (MAX_DATAGRAM - 1 - len(glong)) if transport == 'udp' else peer.MIB
    return [
        (b'weathe', b'a prefix of a joined group', False),
        (WEATHER, b'', True),
        (b'weather2', b'an extension of a joined group', False),
        (glong, body('big', big), True),
        (b'other', b'not joined', False),
        (WEATHER, bytes(range(256)), True),
        (glong, b'end of phase 2', True),
    ]


def radio_api_checks(d, sock):
    # libzmq reads at most ZMQ_GROUP_MAX_LENGTH octets of the string
    # (strnlen): a longer group is cut, not refused.
    g = long_group(256)

    def cut():
        try:
            got = d.group_as_set(g)
        except ZmqError as e:
            raise Failure('zmq_msg_set_group with 256 octets: refused (%s); libzmq 4.3.4 '
                          'sets the first 255' % errno.errorcode.get(e.errno, e.errno))
        expect(got, g[:255], 'zmq_msg_set_group with 256 octets: the group set')
    return [
        cut,
        lambda: expect_errno(d, 'RADIO send with ZMQ_SNDMORE', errno.EINVAL,
                             d.send, sock, WEATHER, b'x', zmq.SNDMORE),
        lambda: expect_errno(d, 'RADIO receive', errno.ENOTSUP, d.recv, sock, zmq.DONTWAIT),
    ]


def dish_api_checks(d, sock):
    return [
        lambda: expect_errno(d, 'zmq_join with 256 octets', errno.EINVAL,
                             d.join, sock, b'g' * 256),
        lambda: d.join(sock, WEATHER),
        lambda: expect_errno(d, 'zmq_join of a group joined already', errno.EINVAL,
                             d.join, sock, WEATHER),
        lambda: expect_errno(d, 'zmq_leave of a group not joined', errno.EINVAL,
                             d.leave, sock, b'never joined'),
        lambda: expect_errno(d, 'DISH send', errno.ENOTSUP, d.send, sock, WEATHER, b'x'),
    ]


def api_checks():
    """Every check runs; the failures are reported together."""
    d = Draft()
    ctx = zmq.Context()
    problems = []
    for make, check in ((RADIO, radio_api_checks), (DISH, dish_api_checks)):
        sock = ctx.socket(make)
        sock.linger = 0
        for step in check(d, sock):
            try:
                step()
            except (Failure, ZmqError) as e:
                problems.append(str(e))
        sock.close()
    ctx.term()
    if problems:
        raise Failure('; '.join(problems))


def play_radio(d, sock, ctl, transport, glong):
    def warm():
        d.send(sock, WEATHER, WARM)
        d.send(sock, glong, WARM)
    until_signal(ctl, 'joined', warm, 'warm-up')
    trace('the DISH got the warm-up in both groups')
    for group, data, _ in sequence(transport, glong):
        d.send(sock, group, data)
        if transport == 'udp':
            time.sleep(0.005)       # a modest rate: nothing dropped by a full buffer

    def warm2():
        d.send(sock, WEATHER, b'after leave')
        d.send(sock, SECOND, WARM2)
    until_signal(ctl, 'joined2', warm2, 'phase 3 warm-up')
    for group, data in ((WEATHER, b'left'), (glong, b'still joined'), (SECOND, b'fin')):
        d.send(sock, group, data)
        if transport == 'udp':
            time.sleep(0.005)


def play_dish(d, sock, ctl, transport, glong):
    seen = set()
    while seen != {WEATHER, glong}:
        group, data = recv_group(d, sock, 'warm-up')
        expect((group in (WEATHER, glong), data), (True, WARM), 'a warm-up message')
        seen.add(group)
    ctl.signal('joined')
    want = [(g, b) for g, b, delivered in sequence(transport, glong) if delivered]
    i = 0
    while i < len(want):
        msg = recv_group(d, sock, 'message %d of phase 2' % i)
        if i == 0 and msg[1] == WARM and msg[0] in (WEATHER, glong):
            continue
        if msg != want[i]:
            raise Failure('phase 2, message %d: got %s, expected %s'
                          % (i, gshow(msg), gshow(want[i])))
        i += 1
    trace('phase 2 done')
    d.leave(sock, WEATHER)
    d.join(sock, SECOND)
    msg = recv_group(d, sock, 'phase 3 warm-up')
    if msg[0] == WEATHER:
        raise Failure('a message for a group left: %s' % gshow(msg))
    expect(msg, (SECOND, WARM2), 'phase 3 warm-up')
    ctl.signal('joined2')
    want = [(glong, b'still joined'), (SECOND, b'fin')]
    i = 0
    while i < len(want):
        msg = recv_group(d, sock, 'message %d of phase 3' % i)
        if msg[0] == WEATHER:
            raise Failure('a message for a group left: %s' % gshow(msg))
        if i == 0 and msg == (SECOND, WARM2):
            continue
        if msg != want[i]:
            raise Failure('phase 3, message %d: got %s, expected %s'
                          % (i, gshow(msg), gshow(want[i])))
        i += 1


def radio_dish(ctl, role, transport, how, where, glen):
    d = Draft()
    ctx = zmq.Context()
    sock = ctx.socket(RADIO if role == 'radio' else DISH)
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    sock.linger = 2000 if role == 'radio' else 0
    glong = long_group(glen)
    if role == 'dish':
        d.join(sock, WEATHER)
        d.join(sock, glong)
    if how == 'bind':
        if transport == 'udp':
            ep = 'udp://' + udp_bind(sock, where)
        else:
            sock.bind('tcp://127.0.0.1:*')
            ep = sock.getsockopt_string(zmq.LAST_ENDPOINT)
        ctl.send('ENDPOINT ' + ep)
    else:
        sock.connect(where)
    trace('%s %s %s' % (role, how, ep if how == 'bind' else where))
    (play_radio if role == 'radio' else play_dish)(d, sock, ctl, transport, glong)
    trace('checks passed')
    ctl.barrier('end')
    sock.close()
    ctx.term()


# --------------------------------------------------------------------------
# DGRAM

QUESTIONS = [b'', bytes(range(256)), body('dgram', MAX_DATAGRAM), b'bye']


def dgram_recv(sock, what):
    got = peer.recv(sock, what)
    if len(got) != 2:
        raise Failure('%s: %d frames, expected an address and a body: %s'
                      % (what, len(got), show(got)))
    return got


def dgram(ctl, role, where):
    ctx = zmq.Context()
    sock = ctx.socket(DGRAM)
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    sock.linger = 0
    me = udp_bind(sock, '127.0.0.1').encode()
    trace('bound udp://%s' % me.decode())
    if role == 'answer':
        ctl.send('ENDPOINT ' + me.decode())
        asker = None
        while True:
            addr, q = dgram_recv(sock, 'a question')
            if asker is None:
                if not q.startswith(b'hello from '):
                    raise Failure('first question %s' % show(q))
                asker = q[len(b'hello from '):] + b'\0'
            expect(addr, asker, 'the address frame of a question (the asker\'s address)')
            peer.send(sock, [addr, q[::-1]], 'an answer')
            if q == b'bye':
                break
    else:
        them = where.encode()
        hello = b'hello from ' + me
        deadline = time.monotonic() + TIMEOUT_S
        sock.rcvtimeo = 100
        while True:
            peer.send(sock, [them, hello], 'the first question')
            try:
                got = sock.recv_multipart()
                break
            except zmq.Again:
                if time.monotonic() > deadline:
                    raise Failure('no answer to the first question within %d s' % TIMEOUT_S)
        sock.rcvtimeo = TIMEOUT_MS
        expect(got, [them + b'\0', hello[::-1]], 'the first answer')
        for i, q in enumerate(QUESTIONS):
            peer.send(sock, [them, q], 'question %d' % i)
            got = dgram_recv(sock, 'answer %d' % i)
            while got == [them + b'\0', hello[::-1]]:      # the first question's repeats
                got = dgram_recv(sock, 'answer %d' % i)
            expect(got, [them + b'\0', q[::-1]], 'answer %d' % i)
    trace('checks passed')
    ctl.barrier('end')
    sock.close()
    ctx.term()


def main(argv):
    ctl = Ctl()
    ctl.send('LIB %s %s' % (peer.loaded_libzmq(), zmq.zmq_version()))
    role = argv[0]
    try:
        if role == 'api':
            api_checks()
        elif role == 'dgram':
            dgram(ctl, argv[1], argv[2] if len(argv) > 2 else None)
        else:
            transport, how, glen, where = argv[1:5]
            radio_dish(ctl, role, transport, how, where, int(glen))
    except Exception as e:
        peer.fail(role, ' '.join(argv[1:3]), e)
    ctl.send('DONE')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
