"""The machinery of tests/interop/run: the libraries under test, the peer
processes (their control lines: LIB, ENDPOINT, SIGNAL, DONE, see peer.py),
a case's session with its hang guard, and the Case record. The case kinds
live in `run` and in draft_cases.py."""

import os
import queue
import subprocess
import threading
import time


class Failure(Exception):
    pass


class _Expired(Exception):
    pass


class Lib:
    def __init__(self, label, path, libdir):
        self.label = label
        self.path = path
        self.real = os.path.realpath(path)
        self.dir = libdir
        os.makedirs(libdir)
        os.symlink(self.real, os.path.join(libdir, 'libzmq.so.5'))


class Env:
    """What every case needs: the libraries, the interpreter, a temp dir.
    `ref` (set_ref) is the reference libzmq with the draft API, ws and wss
    the draft cases run against; `dours` is the library on ours' side of
    those cases: ours, or in a control run the reference again (Debian's
    libzmq, `theirs` then, has no draft sockets)."""
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.ours = Lib('ours', args.ours, os.path.join(tmp, 'lib-ours'))
        self.theirs = Lib('libzmq', args.theirs, os.path.join(tmp, 'lib-theirs'))
        self.ref = self.dours = None
        self.python = args.python
        self.netns = None           # set by draft_cases.netns_probe
        self._n = 0
        self._lock = threading.Lock()

    def set_ref(self, path, control):
        self.ref = Lib('libzmq', path, os.path.join(self.tmp, 'lib-ref'))
        self.dours = self.ref if control else self.ours

    def case_dir(self):
        with self._lock:
            self._n += 1
            d = os.path.join(self.tmp, 'case-%d' % self._n)
        os.makedirs(d)
        return d

    def spawn(self, script, args, lib, cwd, events, label, wrap=()):
        """`wrap`: a command prefix (unshare, nsenter) that ends by running
        what follows it. The wrapper runs without --ours-env (a sanitizer
        runtime has no business in `ip`); `env` puts it back for the peer."""
        env = dict(os.environ)
        for var in ('PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP'):
            env.pop(var, None)
        env['LD_LIBRARY_PATH'] = lib.dir
        extra = self.args.ours_env if lib is self.ours else {}
        env['TMPDIR'] = cwd         # where ipc://* creates its directories
        env['PYTHONDONTWRITEBYTECODE'] = '1'
        argv = [self.python, script] + args
        if wrap:
            argv = list(wrap) + ['env'] + ['%s=%s' % kv for kv in extra.items()] + argv
        else:
            env.update(extra)
        return Proc(label, lib, argv, env, cwd, events)


class Proc:
    """A peer process: its stdout lines go to a shared queue as (proc, line),
    then (proc, None) at EOF; its stderr is collected."""
    def __init__(self, label, lib, argv, env, cwd, events):
        self.label = label
        self.lib = lib
        self.argv = argv
        self.stderr = []
        self.lines = []
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env, cwd=cwd)
        self._wlock = threading.Lock()
        threading.Thread(target=self._read_out, args=(events,), daemon=True).start()
        self._err = threading.Thread(target=self._read_err, daemon=True)
        self._err.start()

    def _read_out(self, events):
        for raw in self.p.stdout:
            line = raw.decode(errors='replace').rstrip('\n')
            self.lines.append(line)
            events.put((self, line))
        events.put((self, None))

    def _read_err(self):
        for raw in self.p.stderr:
            self.stderr.append(raw.decode(errors='replace').rstrip('\n'))

    def tell(self, line):
        with self._wlock:
            try:
                self.p.stdin.write((line + '\n').encode())
                self.p.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()

    def finish(self, timeout=5):
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self._err.join(2)
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            try:
                f.close()
            except Exception:
                pass

    def check_lib(self, line):
        # "LIB <path> <version>": the loader must have taken the library we chose.
        _, path, version = line.split(' ', 2)
        if os.path.realpath(path) != self.lib.real:
            raise Failure('%s: loaded %s, expected %s' % (self.label, path, self.lib.real))

    def report(self):
        out = ['--- %s (%s), exit %s: %s' % (self.label, self.lib.real, self.p.returncode,
                                            ' '.join(self.argv[1:]))]
        out += ['    ' + l for l in self.stderr]
        return '\n'.join(out)

    def fail_line(self):
        for l in self.stderr:
            if l.startswith('FAIL'):
                return l
        for l in reversed(self.stderr):
            if l.strip():
                return '%s: %s' % (self.label, l.strip())
        return None


class Session:
    """Runs peers, relays SIGNAL lines between them, enforces the hang guard."""
    def __init__(self, env):
        self.env = env
        self.events = queue.Queue()
        self.procs = []
        self.deadline = time.monotonic() + env.args.timeout
        self.cwd = env.case_dir()
        self.done = set()
        self.exited = set()
        self.pending = {}          # SIGNAL lines for a peer not started yet
        self.partner = {}

    def start(self, script, args, lib, label, wrap=()):
        p = self.env.spawn(script, args, lib, self.cwd, self.events, label, wrap)
        self.procs.append(p)
        return p

    def pair(self, a, b):
        self.partner[a] = b
        self.partner[b] = a
        for line in self.pending.pop(a, []):
            b.tell(line)

    def next_event(self, until=None):
        """Handles one line from any peer and returns (proc, line) for the
        caller to look at. Raises Failure on the hang guard, _Expired when
        `until` (earlier than the hang guard) passes first."""
        limit = self.deadline if until is None else min(until, self.deadline)
        try:
            proc, line = self.events.get(timeout=max(0.0, limit - time.monotonic()))
        except queue.Empty:
            if limit < self.deadline:
                raise _Expired()
            raise Failure('hang guard: the case did not finish within %d s'
                          % self.env.args.timeout)
        if line is None:
            proc.finish()
            self.exited.add(proc)
        elif line.startswith('LIB '):
            proc.check_lib(line)
        elif line.startswith('SIGNAL '):
            other = self.partner.get(proc)
            if other is None:
                self.pending.setdefault(proc, []).append(line)
            else:
                other.tell(line)
        elif line == 'DONE':
            self.done.add(proc)
        return proc, line

    def wait_line(self, proc, prefix, what):
        while True:
            p, line = self.next_event()
            if p is proc and line is not None and line.startswith(prefix):
                return line[len(prefix):]
            if p is proc and line is None:
                raise Failure('%s exited (status %s) before %s'
                              % (proc.label, proc.p.returncode, what))

    def wait_all(self):
        """Until every peer has exited. When one fails, the others get a few
        seconds (they may report their own view of the failure), then are
        killed."""
        grace = None
        while len(self.exited) < len(self.procs):
            if grace is None and any(p.p.returncode for p in self.exited):
                grace = time.monotonic() + 3
            if grace is not None and time.monotonic() >= grace:
                for p in self.procs:
                    if p not in self.exited:
                        p.kill()
                grace = float('inf')
            try:
                self.next_event(until=grace)
            except _Expired:
                pass
        bad = [p for p in self.procs if p.p.returncode != 0 or p not in self.done]
        if bad:
            # The peers' own FAIL lines first; a peer we killed after the other
            # failed says nothing useful.
            reasons = [p.fail_line() for p in bad if p.fail_line()
                       and p.fail_line().startswith('FAIL')]
            if not reasons:
                reasons = [p.fail_line() or '%s exited with status %s'
                           % (p.label, p.p.returncode) for p in bad]
            raise Failure('; '.join(reasons))

    def close(self):
        for p in self.procs:
            p.kill()
            p.finish()

    def report(self):
        return '\n'.join(p.report() for p in self.procs)

def collect(s, want):
    """Lines starting with the prefixes in want[proc], from any peer, in any
    order: {(proc, prefix): rest of the line}."""
    got = {}
    while any((p, k) not in got for p in want for k in want[p]):
        p, line = s.next_event()
        if line is None:
            if p in want and any((p, k) not in got for k in want[p]):
                raise Failure(p.fail_line() or '%s exited (status %s) before reporting'
                              % (p.label, p.p.returncode))
            continue
        for k in want.get(p, ()):
            if line.startswith(k):
                got[(p, k)] = line[len(k):]
    return got

class Case:
    last_report = threading.local()

    def __init__(self, name, fn, *args):
        self.name = name
        self.fn = fn
        self.args = args

    def run(self, env):
        Case.last_report.value = ''
        t0 = time.monotonic()
        try:
            self.fn(env, *self.args)
            ok, reason = True, ''
        except Failure as e:
            ok, reason = False, str(e)
        except Exception as e:      # a bug in the runner: report it, do not hide it
            ok, reason = False, 'runner error: %r' % e
        return ok, reason, Case.last_report.value, time.monotonic() - t0


class Seq:
    """Expected monitor events: `head`, then units (each one of the
    alternatives in `units`) at least `min_units` times, then possibly the
    start of one more (a reconnecting client, and its server, are stopped at
    some point of an attempt)."""
    def __init__(self, head, units=(), min_units=0):
        self.head, self.units, self.min_units = list(head), [list(u) for u in units], min_units

    def matches(self, events):
        if events[:len(self.head)] != self.head:
            return False
        rest, n = events[len(self.head):], 0
        while True:
            unit = next((u for u in self.units if rest[:len(u)] == u), None)
            if unit is None:
                break
            rest, n = rest[len(unit):], n + 1
        return n >= self.min_units and (not rest or any(
            rest == u[:len(rest)] for u in self.units))

    def __str__(self):
        out = ' '.join(self.head)
        if self.units:
            out += ' then at least %d times (%s), the last maybe cut short' % (
                self.min_units, ' | '.join(' '.join(u) for u in self.units))
        return out.strip() or '(none)'
