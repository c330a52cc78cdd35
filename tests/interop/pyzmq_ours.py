#!/usr/bin/python3
"""Debian's prebuilt pyzmq (python3-zmq, linked against libzmq.so.5) on OUR
library: both sockets in this one process are ours. Run by tests/interop/run
with LD_LIBRARY_PATH pointing at a directory whose libzmq.so.5 is ours:

    pyzmq_ours.py --list                 the case names
    pyzmq_ours.py --expect LIB CASE...   run cases; LIB is the library that
                                         must be loaded (checked in /proc/self/maps)

Prints `ok CASE` per passed case, reports failures on stderr as `FAIL ...`,
exits 1 if any case failed. No time limits: the timeouts are hang guards.
"""

import os
import random
import sys
import time

TIMEOUT_MS = 20000
TIMEOUT_S = TIMEOUT_MS / 1000.0
MIB = 1 << 20


class Failure(Exception):
    pass


def expect(got, want, what):
    if got != want:
        def show(m):
            return [bytes(f[:24]) + (b'...(%d bytes)' % len(f) if len(f) > 24 else b'')
                    for f in m]
        raise Failure('%s: got %r, expected %r' % (what, show(got), show(want)))


def big(tag):
    return random.Random('pyzmq-' + tag).randbytes(MIB)


def messages(tag):
    t = tag.encode()
    return [[t + b' multipart', b'', b'third'], [b''], [big(tag)],
            [t + b' big frame', big(tag + '2'), b'']]


def endpoint(transport):
    return 'tcp://127.0.0.1:*' if transport == 'tcp' else 'ipc://*'


def recv(sock, what):
    import zmq
    try:
        return sock.recv_multipart()
    except zmq.Again:
        raise Failure('%s: nothing received within %d s (RCVTIMEO)' % (what, TIMEOUT_S))


def sockets(ctx, kind_bind, kind_connect, transport):
    import zmq
    a = ctx.socket(kind_bind)
    b = ctx.socket(kind_connect)
    for s in (a, b):
        s.rcvtimeo = s.sndtimeo = TIMEOUT_MS
        s.linger = 0
    a.bind(endpoint(transport))
    ep = a.getsockopt_string(zmq.LAST_ENDPOINT)
    if not ep.startswith(transport + '://'):
        raise Failure('LAST_ENDPOINT %r is not a %s endpoint' % (ep, transport))
    b.connect(ep)
    return a, b


def reqrep(transport):
    import zmq
    ctx = zmq.Context()
    rep, req = sockets(ctx, zmq.REP, zmq.REQ, transport)
    for i, (q, r) in enumerate(zip(messages('req'), messages('rep'))):
        req.send_multipart(q)
        expect(recv(rep, 'request %d' % i), q, 'request %d' % i)
        rep.send_multipart(r)
        expect(recv(req, 'reply %d' % i), r, 'reply %d' % i)
    for i in range(100):
        req.send(b'ping %d' % i)
        expect(recv(rep, 'ping'), [b'ping %d' % i], 'ping %d' % i)
        rep.send(b'pong %d' % i)
        expect(recv(req, 'pong'), [b'pong %d' % i], 'pong %d' % i)
    req.close()
    rep.close()
    ctx.term()


def pubsub(transport):
    import zmq
    ctx = zmq.Context()
    pub, sub = sockets(ctx, zmq.PUB, zmq.SUB, transport)
    sub.setsockopt(zmq.SUBSCRIBE, b'topic')
    # Slow joiner: publish until the subscriber sees one (zmq_poll on SUB).
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        pub.send(b'other/warm')
        pub.send(b'topic/warm')
        if sub.poll(50):
            break
        if time.monotonic() > deadline:
            raise Failure('the subscriber got nothing within %d s' % TIMEOUT_S)
    seq = [[b'other/1'], [b'topic/1', b'', b'x'], [b'topic/big ' + big('pub')],
           [b'other/2', big('o')], [b'topic/3', big('pub3'), b''], [b'topic/end']]
    for m in seq:
        pub.send_multipart(m)
    got = recv(sub, 'warm-up')
    while got == [b'topic/warm']:
        got = recv(sub, 'message 0')
    for i, m in enumerate(x for x in seq if x[0].startswith(b'topic')):
        if i:
            got = recv(sub, 'message %d' % i)
        expect(got, m, 'filtered message %d' % i)
    sub.setsockopt(zmq.SUBSCRIBE, b'')
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        pub.send(b'warm2')
        if sub.poll(50):
            break
        if time.monotonic() > deadline:
            raise Failure('the second subscription took no effect within %d s' % TIMEOUT_S)
    pub.send(b'')
    pub.send(b'fin')
    got = recv(sub, 'empty message')
    while got == [b'warm2']:
        got = recv(sub, 'empty message')
    expect(got, [b''], 'empty message')
    expect(recv(sub, 'last message'), [b'fin'], 'last message')
    sub.close()
    pub.close()
    ctx.term()


def run_async(make_coro):
    import asyncio
    import zmq.asyncio

    async def guarded():
        ctx = zmq.asyncio.Context()
        try:
            return await asyncio.wait_for(make_coro(ctx), TIMEOUT_S * 3)
        except asyncio.TimeoutError:
            raise Failure('asyncio exchange still waiting after %d s (is ZMQ_FD '
                          'signalled like libzmq\'s, edge-triggered?)' % (TIMEOUT_S * 3))
        finally:
            ctx.destroy(linger=0)
    asyncio.run(guarded())


def asyncio_reqrep(transport):
    import asyncio
    import zmq

    async def body(ctx):
        rep, req = sockets(ctx, zmq.REP, zmq.REQ, transport)
        n = 200
        reqs = messages('areq') + [[b'req %d' % i] for i in range(n)]
        reps = messages('arep') + [[b'rep %d' % i] for i in range(n)]

        async def server():
            for i, r in enumerate(reps):
                got = await rep.recv_multipart()
                expect(got, reqs[i], 'request %d' % i)
                if i % 7 == 0:
                    await asyncio.sleep(0.001)   # the client waits on the FD
                await rep.send_multipart(r)

        async def client():
            for i, q in enumerate(reqs):
                await req.send_multipart(q)
                expect(await req.recv_multipart(), reps[i], 'reply %d' % i)

        await asyncio.gather(server(), client())
        req.close()
        rep.close()
    run_async(body)


def asyncio_pushpull(transport):
    import asyncio
    import zmq

    async def body(ctx):
        pull, push = sockets(ctx, zmq.PULL, zmq.PUSH, transport)
        n = 2000
        msgs = messages('apush') + [[b'msg %d' % i] for i in range(n)]
        got = []

        async def puller():
            for i in range(len(msgs)):
                got.append(await pull.recv_multipart())

        task = asyncio.ensure_future(puller())
        await asyncio.sleep(0.2)       # the puller is now parked on the FD
        # One message first, then a burst: a burst raises one edge, and the
        # reader must drain it all (ZMQ_EVENTS) without another edge.
        await push.send_multipart(msgs[0])
        while len(got) < 1:
            await asyncio.sleep(0.01)
        for m in msgs[1:]:
            await push.send_multipart(m)
        await task
        for i, (g, m) in enumerate(zip(got, msgs)):
            expect(g, m, 'message %d' % i)
        # The other way round: messages queued before anyone awaits them.
        for i in range(10):
            await push.send(b'queued %d' % i)
        await asyncio.sleep(0.2)
        for i in range(10):
            expect(await pull.recv_multipart(), [b'queued %d' % i], 'queued %d' % i)
        push.close()
        pull.close()
    run_async(body)


CASES = {
    'REQ-REP/tcp': lambda: reqrep('tcp'),
    'REQ-REP/ipc': lambda: reqrep('ipc'),
    'PUB-SUB/tcp': lambda: pubsub('tcp'),
    'PUB-SUB/ipc': lambda: pubsub('ipc'),
    'asyncio-REQ-REP/tcp': lambda: asyncio_reqrep('tcp'),
    'asyncio-PUSH-PULL/tcp': lambda: asyncio_pushpull('tcp'),
    'asyncio-PUSH-PULL/ipc': lambda: asyncio_pushpull('ipc'),
}


def loaded_libzmq():
    with open('/proc/self/maps') as maps:
        for line in maps:
            fields = line.split(None, 5)
            if len(fields) == 6 and 'libzmq' in os.path.basename(fields[5].strip()):
                return fields[5].strip()
    return None


def main(argv):
    if argv == ['--list']:
        print('\n'.join(CASES))
        return 0
    if len(argv) < 3 or argv[0] != '--expect':
        print(__doc__, file=sys.stderr)
        return 2
    want, names = argv[1], argv[2:]
    import zmq
    # The runner reads this line and checks it, too.
    print('LIB %s %s' % (loaded_libzmq(), zmq.zmq_version()), flush=True)
    lib = loaded_libzmq()
    if lib is None or os.path.realpath(lib) != os.path.realpath(want):
        print('FAIL: pyzmq loaded %s, not %s' % (lib, want), file=sys.stderr)
        return 1
    failed = 0
    for name in names:
        try:
            CASES[name]()
            print('ok %s' % name, flush=True)
        except Failure as e:
            failed += 1
            print('FAIL %s: %s' % (name, e), file=sys.stderr, flush=True)
    if failed:
        return 1
    print('DONE', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
