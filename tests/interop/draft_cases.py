"""The cases of tests/interop/run that need the reference libzmq 4.3.4 built
with the draft API, ws and wss (tools/build-ref-libzmq; Debian's has none
of them): RADIO/DISH over udp unicast, udp multicast (in a network
namespace of their own) and tcp, DGRAM over udp (draftpeer.py), and the
ws / wss transports with each security mechanism (wspeer.py)."""

import errno
import os
import shutil
import subprocess
import threading
import time

from harness import Case, Failure, Seq, Session, collect

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
DRAFTPEER = os.path.join(HERE, 'draftpeer.py')
WSPEER = os.path.join(HERE, 'wspeer.py')
BUILD_REF = os.path.join(TOP, 'tools', 'build-ref-libzmq')

GROUP_MAX = 255
# libzmq 4.3.4's udp engine reads a datagram's group length as a signed
# char: its DISH aborts (ENOMEM from a negative size) on a group over 127
# octets. Cases with libzmq's DISH over udp use 127-octet groups.
GROUP_MAX_LIBZMQ_UDP = 127
MULTICAST = '239.192.7.7:5555'      # in a network namespace of its own: no clash

# The namespace's loopback carries multicast. `ip` runs without a sanitizer
# runtime (spawn() leaves --ours-env out of the wrapper).
NETNS_SETUP = ('ip link set lo up && ip link set lo multicast on'
               ' && ip route add 224.0.0.0/4 dev lo')


def ensure_ref():
    """The reference build's libzmq.so.5, built first if absent (idempotent:
    a check of a few hundred ms once built; from cold about 80 s, and on a
    fresh machine run-compat's fetch of the upstream tarball first)."""
    t0 = time.monotonic()
    res = subprocess.run([BUILD_REF], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = res.stdout.decode().split()
    if res.returncode != 0 or not out:
        raise SystemExit('tests/interop/run: tools/build-ref-libzmq failed:\n'
                         + res.stderr.decode()[-3000:])
    if time.monotonic() - t0 > 5:
        print('tools/build-ref-libzmq built the reference libzmq in %.0f s'
              % (time.monotonic() - t0), flush=True)
    return os.path.join(out[-1], 'lib', 'libzmq.so.5')


def netns_probe():
    """(how to start a process in a new network namespace, how to run one
    in the namespace of process PID) or None where this machine allows
    none: unshare --net as root, else through a user namespace. Each way is
    tried for real, the second process included (without root, nsenter
    into a user namespace is refused where the kernel's ptrace rules say
    so)."""
    unshare, nsenter = shutil.which('unshare'), shutil.which('nsenter')
    if not unshare or not nsenter or not shutil.which('ip'):
        return None
    tries = [([unshare, '--net'], [nsenter, '--net=/proc/{pid}/ns/net', '--'])] \
        if os.geteuid() == 0 else []
    tries.append(([unshare, '--net', '--map-root-user'],
                  [nsenter, '-t', '{pid}', '-U', '-n', '--preserve-credentials', '--']))
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                 stderr=subprocess.DEVNULL)
    for new, enter in tries:
        cmd = new + ['--', 'sh', '-c', NETNS_SETUP + ' && exec "$@"', 'netns']
        holder = subprocess.Popen(cmd + ['sh', '-c', 'echo ready && exec sleep 30'],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        try:
            if holder.stdout.readline() != b'ready\n':
                continue
            join = [w.format(pid=holder.pid) for w in enter]
            if subprocess.run(join + ['ip', 'route', 'get', '224.0.0.1'], **quiet).returncode == 0:
                return cmd, enter
        finally:
            holder.kill()
            holder.wait()
            holder.stdout.close()
    return None


def draft_pair(env, first, first_lib, second, second_lib, netns=False):
    """`first` (args of draftpeer.py) reports ENDPOINT, `second` gets it as
    its last argument. With `netns`, both run in one new network namespace."""
    if netns and env.netns is None:
        raise Failure('no network namespace possible here (unshare --net, as root or '
                      'through a user namespace, and ip from iproute2 are needed)')
    s = Session(env)
    try:
        wrap = env.netns[0] if netns else ()
        a = s.start(DRAFTPEER, first, first_lib, '%s %s' % (first_lib.label, first[0]), wrap)
        ep = s.wait_line(a, 'ENDPOINT ', 'reporting its endpoint')
        wrap = [w.format(pid=a.p.pid) for w in env.netns[1]] if netns else ()
        b = s.start(DRAFTPEER, second + [ep], second_lib,
                    '%s %s' % (second_lib.label, second[0]), wrap)
        s.pair(a, b)
        s.wait_all()
    finally:
        s.close()
        Case.last_report.value = s.report()


def group_len(env, dish_lib, transport):
    if transport == 'udp' and dish_lib is env.ref:
        return GROUP_MAX_LIBZMQ_UDP
    return GROUP_MAX


def udp_radio_dish(env, ours_dish, multicast):
    dish_lib, radio_lib = (env.dours, env.ref) if ours_dish else (env.ref, env.dours)
    glen = str(group_len(env, dish_lib, 'udp'))
    where = MULTICAST if multicast else '127.0.0.1'
    draft_pair(env, ['dish', 'udp', 'bind', glen, where], dish_lib,
               ['radio', 'udp', 'connect', glen], radio_lib, netns=multicast)


def tcp_radio_dish(env, ours_role, ours_binds):
    theirs_role = 'dish' if ours_role == 'radio' else 'radio'
    glen = str(GROUP_MAX)
    ours, theirs = [ours_role, 'tcp'], [theirs_role, 'tcp']
    if ours_binds:
        draft_pair(env, ours + ['bind', glen, '-'], env.dours,
                   theirs + ['connect', glen], env.ref)
    else:
        draft_pair(env, theirs + ['bind', glen, '-'], env.ref,
                   ours + ['connect', glen], env.dours)


def dgram_case(env, ours_asks):
    asker, answerer = (env.dours, env.ref) if ours_asks else (env.ref, env.dours)
    draft_pair(env, ['dgram', 'answer'], answerer, ['dgram', 'ask'], asker)


def single(env, argv):
    s = Session(env)
    try:
        s.start(DRAFTPEER, argv, env.dours, '%s %s' % (env.dours.label, argv[0]))
        s.wait_all()
    finally:
        s.close()
        Case.last_report.value = s.report()


# --------------------------------------------------------------------------
# ws and wss

_tls_lock = threading.Lock()


def tls_dir(env):
    """A self-signed certificate for localhost (and 127.0.0.1), made once
    per run with openssl: cert.pem, key.pem."""
    d = os.path.join(env.tmp, 'tls')
    with _tls_lock:
        if not os.path.exists(os.path.join(d, 'cert.pem')):
            os.makedirs(d, exist_ok=True)
            res = subprocess.run(
                ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
                 '-subj', '/CN=localhost', '-addext',
                 'subjectAltName=DNS:localhost,IP:127.0.0.1',
                 '-keyout', os.path.join(d, 'key.pem'), '-out', os.path.join(d, 'cert.pem')],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if res.returncode != 0:
                raise Failure('openssl could not make a test certificate: %s'
                              % res.stdout.decode()[-500:])
    return d


# The monitor events libzmq 4.3.4 gives on each side of a ws / wss
# connection (seen with --control): HANDSHAKE_SUCCEEDED twice, once for the
# WebSocket upgrade (ws_engine_t::handshake) and once for ZMTP's; the
# server's monitor, attached before bind, shows LISTENING. A client that
# refuses the server's certificate (`badhost`) fails the handshake with the
# errno left over, EAGAIN, and retries; the server sees ECONNRESET. ZAP's
# 400 (`badpass`) fails both sides after the upgrade, for good.
AUTH_400 = 'HANDSHAKE_FAILED_AUTH:0x190'
NO_DETAIL_EAGAIN = 'HANDSHAKE_FAILED_NO_DETAIL:0x%x' % errno.EAGAIN
NO_DETAIL_ECONNRESET = 'HANDSHAKE_FAILED_NO_DETAIL:0x%x' % errno.ECONNRESET
WS_EVENTS = {
    'ok': {
        'server': Seq(['LISTENING', 'ACCEPTED', 'HANDSHAKE_SUCCEEDED', 'HANDSHAKE_SUCCEEDED']),
        'client': Seq(['CONNECTED', 'HANDSHAKE_SUCCEEDED', 'HANDSHAKE_SUCCEEDED']),
    },
    'badhost': {
        # The server's errno is what its read saw of the client's end:
        # ECONNRESET when the client closed with a record unread (GnuTLS's
        # session ticket), EPIPE for a clean close, EAGAIN left over after
        # reading the client's alert (rustls sends one). It follows the
        # other side's TLS stack, so each is accepted.
        'server': Seq(['LISTENING'], [['ACCEPTED', e, 'DISCONNECTED']
                                      for e in (NO_DETAIL_ECONNRESET, NO_DETAIL_EAGAIN,
                                                'HANDSHAKE_FAILED_NO_DETAIL:0x%x' % errno.EPIPE)], 1),
        'client': Seq(['CONNECTED', NO_DETAIL_EAGAIN, 'DISCONNECTED'],
                      [['CONNECT_RETRIED', 'CONNECTED', NO_DETAIL_EAGAIN, 'DISCONNECTED']], 1),
    },
    'badpass': {
        'server': Seq(['LISTENING', 'ACCEPTED', 'HANDSHAKE_SUCCEEDED', AUTH_400,
                       'DISCONNECTED']),
        'client': Seq(['CONNECTED', 'HANDSHAKE_SUCCEEDED', AUTH_400, 'DISCONNECTED']),
    },
}


# peer.py's pairing: (the connecting type, the binding one)
WS_PAIRINGS = {'DEALER-ROUTER': ('DEALER', 'ROUTER'), 'PUB-SUB': ('SUB', 'PUB')}


def ws_case(env, transport, pairing, mech, ours_binds):
    client_type, server_type = WS_PAIRINGS[pairing]
    srv_lib, cli_lib = (env.dours, env.ref) if ours_binds else (env.ref, env.dours)
    tls = tls_dir(env) if transport == 'wss' else '-'
    s = Session(env)
    try:
        srv = s.start(WSPEER, [pairing, server_type, mech, tls, 'bind', transport], srv_lib,
                      '%s %s (binds)' % (srv_lib.label, server_type))
        ep = s.wait_line(srv, 'ENDPOINT ', 'reporting its endpoint')
        if not ep.startswith('%s://127.0.0.1:' % transport) or not ep.endswith('/interop'):
            raise Failure('ZMQ_LAST_ENDPOINT %r: expected %s://127.0.0.1:PORT/interop'
                          % (ep, transport))
        cli = s.start(WSPEER, [pairing, client_type, mech, tls, 'connect', ep], cli_lib,
                      '%s %s (connects)' % (cli_lib.label, client_type))
        s.pair(srv, cli)
        got = collect(s, {srv: ('EVENTS ', 'ZAP '), cli: ('EVENTS ', 'ZAP ')})
        srv.tell('SIGNAL bye')
        cli.tell('SIGNAL bye')
        s.wait_all()
        problems = []
        for who, p in (('server', srv), ('client', cli)):
            events = got[(p, 'EVENTS ')].split()
            want = WS_EVENTS.get(mech, WS_EVENTS['ok'])[who]
            if not want.matches(events):
                problems.append('%s (%s) monitor events: %s, expected %s (libzmq\'s)'
                                % (who, p.lib.label, ' '.join(events) or '(none)', want))
        want_zap = '1' if mech in ('PLAIN', 'CURVE', 'badpass') else '-'
        if got[(srv, 'ZAP ')] != want_zap:
            problems.append('the server\'s ZAP handler got %s requests, expected %s'
                            % (got[(srv, 'ZAP ')], want_zap))
        if problems:
            raise Failure('; '.join(problems))
    finally:
        s.close()
        Case.last_report.value = s.report()


def draft_case(name, fn, *args):
    c = Case(name, fn, *args)
    c.needs_ref = True
    return c


def all_draft_cases():
    cases = [draft_case('api RADIO-DISH: misuse errors, a 256-octet group on a message '
                        '(libzmq\'s behaviours, ours alone)', single, ['api'])]
    for multicast in (False, True):
        where = ('multicast %s in a network namespace' % MULTICAST if multicast
                 else 'unicast 127.0.0.1')
        cases.append(draft_case('udp RADIO-DISH (%s): ours RADIO, libzmq DISH' % where,
                                udp_radio_dish, False, multicast))
        cases.append(draft_case('udp RADIO-DISH (%s): libzmq RADIO, ours DISH' % where,
                                udp_radio_dish, True, multicast))
    for ours_role in ('radio', 'dish'):
        theirs_role = 'dish' if ours_role == 'radio' else 'radio'
        for ours_binds in (True, False):
            cases.append(draft_case(
                'tcp RADIO-DISH: ours %s %s, libzmq %s %s'
                % (ours_role.upper(), 'binds' if ours_binds else 'connects',
                   theirs_role.upper(), 'connects' if ours_binds else 'binds'),
                tcp_radio_dish, ours_role, ours_binds))
    cases.append(draft_case('udp DGRAM: ours asks, libzmq answers', dgram_case, True))
    cases.append(draft_case('udp DGRAM: libzmq asks, ours answers', dgram_case, False))
    for transport, pairing, mech in WS_MATRIX:
        client_type, server_type = WS_PAIRINGS[pairing]
        what = {'badhost': 'NULL, the client expects another host name (refused)',
                'badpass': 'PLAIN, a wrong password (refused: ZAP 400)'}.get(mech, mech)
        for ours_binds in (True, False):
            roles = (('ours', server_type, 'libzmq', client_type) if ours_binds
                     else ('libzmq', server_type, 'ours', client_type))
            cases.append(draft_case('%s %s %s: %s %s binds, %s %s connects'
                                    % ((transport, pairing, what) + roles),
                                    ws_case, transport, pairing, mech, ours_binds))
    return cases


# transport, pairing, mechanism. Not CURVE with PUB-SUB: libzmq 4.3.4 loses
# a subscription sent over ws with CURVE (its XPUB never sees it, no error
# on either side), so that pairing fails with libzmq on both sides.
WS_MATRIX = [(t, p, m) for t in ('ws', 'wss') for p, m in (
    ('DEALER-ROUTER', 'NULL'), ('PUB-SUB', 'NULL'), ('DEALER-ROUTER', 'PLAIN'),
    ('PUB-SUB', 'PLAIN'), ('DEALER-ROUTER', 'CURVE'))] + \
    [('ws', 'DEALER-ROUTER', 'badpass'), ('wss', 'DEALER-ROUTER', 'badhost')]
