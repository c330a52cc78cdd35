#!/usr/bin/python3
"""One side of a ws / wss case of tests/interop/run (draft_cases.py): a
socket pairing of peer.py over ws:// or wss:// with a security mechanism.

    wspeer.py PAIRING TYPE MECH TLSDIR bind    ws|wss
    wspeer.py PAIRING TYPE MECH TLSDIR connect ENDPOINT

MECH: NULL, PLAIN or CURVE; the binding side is the server (PLAIN and
CURVE: with secpeer.py's ZAP handler, which checks every request, the peer
address included, and accepts curvekeys.py's credentials), the connecting
side the client. TLSDIR (wss; `-` for ws) holds cert.pem and key.pem, a
self-signed certificate for `localhost` made by the runner: the server sets
ZMQ_WSS_CERT_PEM and ZMQ_WSS_KEY_PEM, the client ZMQ_WSS_TRUST_PEM (that
certificate) and ZMQ_WSS_HOSTNAME (`localhost`; a client given another name
must refuse the server: the `badhost` MECH, NULL otherwise). MECH
`badpass`: PLAIN with a password the ZAP handler refuses (400). In both no
message may cross, and the runner compares the monitor events.

The exchange is peer.py's for the pairing (multipart messages with empty
frames, empty messages, 1 MiB messages, both ways where the pattern
allows; PUB-SUB with its subscriptions). The socket's monitor runs from
before bind / connect. Lines to the runner, besides peer.py's (LIB,
ENDPOINT, SIGNAL, DONE):
    EVENTS <events>   the monitor events once the exchange is done (as
                      secpeer.py records them: CONNECT_DELAYED left out,
                      HANDSHAKE_FAILED_* as NAME:0x<value>)
    ZAP <n>           the requests this process's ZAP handler got (- if none)
then it waits for the runner's SIGNAL bye; the connecting side closes
first (as in peer.py), the binding side once it has.
"""

import os
import sys
import time

import zmq

import peer
import secpeer
from peer import Ctl, Failure, TIMEOUT_S, trace

WSS_KEY_PEM, WSS_CERT_PEM, WSS_TRUST_PEM, WSS_HOSTNAME = 103, 104, 105, 106
PATH = '/interop'


def read(tls, name):
    with open(os.path.join(tls, name), 'rb') as f:
        return f.read()


def refused(sock, ev, ctl, binder, mech):
    """`badhost`, `badpass`: no message crosses either way. The client
    reports when its monitor shows two failed attempts (badhost: libzmq
    retries) or one and then 1 s without another (badpass: ZAP's 400 ends
    the session); the server watches until then."""
    if not binder:
        try:
            sock.send(b'must not cross', zmq.DONTWAIT)
        except zmq.Again:
            pass
        want = 2 if mech == 'badhost' else 1
        deadline = time.monotonic() + TIMEOUT_S
        while ev.count('DISCONNECTED') < want:
            if time.monotonic() > deadline:
                raise Failure('not %d DISCONNECTED events within %d s; events: %s'
                              % (want, TIMEOUT_S, ' '.join(ev.events)))
            ev.pump(0.1)
        if mech == 'badpass':
            ev.drain(1.0)       # a reconnection would show here
        secpeer.nothing_received(sock, 'client')
        ctl.signal('client-observed')
    else:
        deadline = time.monotonic() + 2 * TIMEOUT_S
        while not ctl.poll('client-observed'):
            if time.monotonic() > deadline:
                raise Failure('the client never reported; events: %s' % ' '.join(ev.events))
            ev.pump(0.05)
            secpeer.nothing_received(sock, 'server')


def main(argv):
    ctl = Ctl()
    ctl.send('LIB %s %s' % (peer.loaded_libzmq(), zmq.zmq_version()))
    pairing, me, mech, tls, how, where = argv
    binder = how == 'bind'
    try:
        ctx = zmq.Context()
        zap = None
        sec = 'PLAIN' if mech == 'badpass' else mech
        if binder and sec in ('PLAIN', 'CURVE'):
            zap = secpeer.ZapHandler(ctx, sec, 'check')
        sock = ctx.socket(getattr(zmq, me))
        peer.configure(sock, pairing, me, binder)
        if binder and sec in ('PLAIN', 'CURVE'):
            secpeer.make_server(sock, sec)
        elif sec in ('PLAIN', 'CURVE'):
            secpeer.make_client(sock, sec, (b'plain-user', b'wrong-pass')
                                if mech == 'badpass' else None)
        if tls != '-':
            if binder:
                sock.setsockopt(WSS_CERT_PEM, read(tls, 'cert.pem'))
                sock.setsockopt(WSS_KEY_PEM, read(tls, 'key.pem'))
            else:
                sock.setsockopt(WSS_TRUST_PEM, read(tls, 'cert.pem'))
                sock.setsockopt(WSS_HOSTNAME,
                                b'elsewhere.invalid' if mech == 'badhost' else b'localhost')
        ev = secpeer.Events(sock)
        if binder:
            sock.bind('%s://127.0.0.1:*%s' % (where, PATH))
            ep = sock.getsockopt_string(zmq.LAST_ENDPOINT)
            ctl.send('ENDPOINT ' + ep)
        else:
            sock.connect(where)
        trace('%s %s %s' % (me, 'bound to' if binder else 'connecting to',
                            ep if binder else where))
        if mech in ('badhost', 'badpass'):
            refused(sock, ev, ctl, binder, mech)
        else:
            peer.PAIRINGS[pairing](sock, me, binder, ctl)
            trace('exchange done')
            ctl.barrier('end')
        ev.drain(0.1)
        ctl.send('EVENTS ' + ' '.join(ev.events))
        ctl.send('ZAP %s' % (len(zap.requests) if zap else '-'))
        ctl.wait('bye')
        if binder:
            ctl.wait('closed')
        ev.close()
        sock.close(0 if mech in ('badhost', 'badpass') else None)
        if zap:
            zap.close()
        ctx.term()
        if not binder:
            ctl.signal('closed')
    except Exception as e:
        peer.fail(me, how, e)
    ctl.send('DONE')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
