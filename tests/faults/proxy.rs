//! A fault-injecting tcp proxy: the fault tests put it between two peer
//! processes. One thread runs a poll loop over every connection; the test
//! steers it through method calls, which take effect at once (the loop is
//! woken through an eventfd) and in the order made, so a test decides
//! exactly when a fault happens:
//!
//! - `set_delay`: each chunk read is written on after this long;
//! - `set_trickle`: at most this many bytes per millisecond, each way;
//! - `cut_all`: every open connection is closed on both sides, with FIN
//!   or RST;
//! - `cut_on_next`: the next chunk read in one direction is dropped and
//!   its connection cut;
//! - `set_blackhole`: while on, every connection silently stops
//!   delivering: what either side sends is read and dropped, a close on one
//!   side is not passed on (the other is left half-open). A connection
//!   that was blackholed stays so; new ones deliver again once it is off.
//!
//! `stats` and `wait_for` report what it saw: connections accepted and
//! open, bytes read each way on the newest one, faults done.

use socket2::SockRef;
use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How a connection is cut.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cut {
    /// shutdown(): FIN to both sides.
    Close,
    /// close() with a zero linger: RST to both sides.
    Reset,
}

/// A direction through the proxy (an index into `Stats::newest`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dir {
    /// From the connecting peer to the bound one.
    ToServer = 0,
    ToClient = 1,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub accepted: u64,
    /// Connections with at least one side still open.
    pub live: usize,
    /// Connections cut by `cut_all` or `cut_on_next`.
    pub cuts: u64,
    /// `cut_on_next` faults done.
    pub armed_fired: u64,
    /// `cut_all` calls carried out.
    pub cut_rounds: u64,
    /// Whether the blackhole is on, as the forwarding loop sees it.
    pub blackhole: bool,
    /// Bytes read on the newest connection, by `Dir`.
    pub newest: [u64; 2],
}

#[derive(Default)]
struct Ctl {
    delay: Duration,
    trickle: usize,
    blackhole: bool,
    cut: Option<Cut>,
    arm: Option<(Dir, Cut)>,
    stop: bool,
}

struct Shared {
    ctl: Mutex<Ctl>,
    stats: Mutex<Stats>,
    changed: Condvar,
    wake: OwnedFd,
}

impl Shared {
    fn poke(&self) {
        let one: u64 = 1;
        // SAFETY: 8 bytes from a local to our eventfd.
        unsafe {
            libc::write(
                self.wake.as_raw_fd(),
                &one as *const u64 as *const libc::c_void,
                8,
            )
        };
    }
}

pub struct Proxy {
    shared: Arc<Shared>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

/// How long `wait_for` waits: a hang guard, never a criterion.
const GUARD: Duration = Duration::from_secs(30);

impl Proxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream`.
    pub fn start(upstream: &str) -> Proxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("tcp://")
            .parse()
            .expect("a tcp endpoint");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        // SAFETY: plain syscall; checked before use.
        let efd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        assert!(efd >= 0);
        let shared = Arc::new(Shared {
            ctl: Mutex::new(Ctl::default()),
            stats: Mutex::new(Stats::default()),
            changed: Condvar::new(),
            // SAFETY: a fresh descriptor we own.
            wake: unsafe { OwnedFd::from_raw_fd(efd) },
        });
        let s = shared.clone();
        let thread = std::thread::spawn(move || {
            Loop {
                shared: s,
                listener,
                upstream,
                conns: Vec::new(),
            }
            .run()
        });
        Proxy {
            shared,
            addr,
            thread: Some(thread),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    fn control(&self, f: impl FnOnce(&mut Ctl)) {
        f(&mut self.shared.ctl.lock().unwrap());
        self.shared.poke();
    }

    pub fn set_delay(&self, ms: u64) {
        self.control(|c| c.delay = Duration::from_millis(ms));
    }

    /// At most `bytes_per_ms` each way on each connection (0: no limit).
    pub fn set_trickle(&self, bytes_per_ms: usize) {
        self.control(|c| c.trickle = bytes_per_ms);
    }

    /// Returns once the forwarding loop has it: from then on, nothing more
    /// is delivered (or, off, new connections deliver again).
    pub fn set_blackhole(&self, on: bool) {
        self.control(|c| c.blackhole = on);
        self.wait_for("the blackhole switched", |s| s.blackhole == on);
    }

    /// Cuts every connection open now; returns once they are cut.
    pub fn cut_all(&self, how: Cut) {
        let round = self.stats().cut_rounds;
        self.control(|c| c.cut = Some(how));
        self.wait_for("the cut", |s| s.cut_rounds > round);
    }

    /// The next chunk read in `dir` is dropped, and its connection cut.
    pub fn cut_on_next(&self, dir: Dir, how: Cut) {
        self.control(|c| c.arm = Some((dir, how)));
    }

    pub fn stats(&self) -> Stats {
        self.shared.stats.lock().unwrap().clone()
    }

    /// Waits until `pred` holds; panics after the hang guard.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&Stats) -> bool) -> Stats {
        let deadline = Instant::now() + GUARD;
        let mut st = self.shared.stats.lock().unwrap();
        while !pred(&st) {
            let now = Instant::now();
            assert!(
                now < deadline,
                "proxy: still waiting for {what} after {GUARD:?}; {:?}",
                *st
            );
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap()
                .0;
        }
        st.clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.control(|c| c.stop = true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One way through a connection: chunks read and when they are due.
struct Flow {
    queue: VecDeque<(Instant, Vec<u8>)>,
    /// How much of the front chunk is written.
    written: usize,
    queued: usize,
    budget: usize,
    refilled: Instant,
}

impl Flow {
    fn new() -> Flow {
        Flow {
            queue: VecDeque::new(),
            written: 0,
            queued: 0,
            budget: 0,
            refilled: Instant::now(),
        }
    }

    /// Bytes it may write now, refilling the trickle budget by the clock.
    fn allowance(&mut self, trickle: usize, now: Instant) -> usize {
        if trickle == 0 {
            return usize::MAX;
        }
        let ms = now.duration_since(self.refilled).as_millis() as usize;
        if ms > 0 {
            self.budget = (self.budget + ms * trickle).min(trickle);
            self.refilled = now;
        }
        self.budget
    }
}

struct Conn {
    /// [client side, server side]; None once closed.
    sides: [Option<TcpStream>; 2],
    /// Indexed by `Dir`: ToServer reads side 0 and writes side 1.
    flows: [Flow; 2],
    read_closed: [bool; 2],
    blackholed: bool,
    newest: bool,
}

impl Conn {
    fn cut(&mut self, how: Cut) {
        for side in self.sides.iter_mut().filter_map(Option::take) {
            match how {
                Cut::Close => {
                    let _ = side.shutdown(Shutdown::Both);
                }
                Cut::Reset => {
                    let _ = SockRef::from(&side).set_linger(Some(Duration::ZERO));
                }
            }
        }
    }

    fn is_done(&self) -> bool {
        self.sides.iter().all(Option::is_none)
    }
}

const MAX_QUEUED: usize = 1 << 20;

struct Loop {
    shared: Arc<Shared>,
    listener: TcpListener,
    upstream: SocketAddr,
    conns: Vec<Conn>,
}

impl Loop {
    fn run(mut self) {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let (delay, trickle, blackhole, cut, stop) = {
                let mut c = self.shared.ctl.lock().unwrap();
                (c.delay, c.trickle, c.blackhole, c.cut.take(), c.stop)
            };
            if stop {
                return;
            }
            let mut cuts = 0;
            if let Some(how) = cut {
                for c in &mut self.conns {
                    c.cut(how);
                    cuts += 1;
                }
            }
            if blackhole {
                for c in &mut self.conns {
                    c.blackholed = true;
                    c.flows = [Flow::new(), Flow::new()];
                }
            }
            self.conns.retain(|c| !c.is_done());
            let round = u64::from(cut.is_some());
            self.publish(|s| {
                s.cuts += cuts;
                s.cut_rounds += round;
                s.blackhole = blackhole;
            });

            let now = Instant::now();
            let (mut pfds, timeout) = self.interest(trickle, now);
            // SAFETY: a valid array of pollfds.
            let rc = unsafe { libc::poll(pfds.as_mut_ptr(), pfds.len() as libc::nfds_t, timeout) };
            if rc < 0 {
                assert_eq!(
                    std::io::Error::last_os_error().kind(),
                    ErrorKind::Interrupted
                );
                continue;
            }
            if pfds[0].revents != 0 {
                let mut v = 0u64;
                // SAFETY: 8 bytes into a local from our eventfd.
                unsafe {
                    libc::read(
                        self.shared.wake.as_raw_fd(),
                        &mut v as *mut u64 as *mut libc::c_void,
                        8,
                    )
                };
            }
            let now = Instant::now();
            for (i, c) in self.conns.iter_mut().enumerate() {
                for side in 0..2 {
                    let re = pfds[2 + i * 2 + side].revents;
                    if re & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0 {
                        read_side(&self.shared, c, side, &mut buf, now + delay, blackhole);
                    }
                }
                for dir in 0..2 {
                    write_flow(c, dir, trickle, now);
                }
            }
            if pfds[1].revents != 0 {
                self.accept(blackhole);
            }
            self.conns.retain(|c| !c.is_done());
            let live = self.conns.len();
            self.publish(|s| s.live = live);
        }
    }

    fn publish(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut self.shared.stats.lock().unwrap());
        self.shared.changed.notify_all();
    }

    /// The pollfds (wake, listener, then two per connection) and the poll
    /// timeout: the next chunk due, or the next trickle refill.
    fn interest(&mut self, trickle: usize, now: Instant) -> (Vec<libc::pollfd>, i32) {
        let pfd = |fd, events| libc::pollfd {
            fd,
            events,
            revents: 0,
        };
        let mut v = vec![
            pfd(self.shared.wake.as_raw_fd(), libc::POLLIN),
            pfd(self.listener.as_raw_fd(), libc::POLLIN),
        ];
        let mut next: Option<Instant> = None;
        for c in &mut self.conns {
            for side in 0..2 {
                // Side 0 is read by flow 0 (ToServer) and written by flow 1.
                let (reading, writing) = (side, 1 - side);
                let mut events = 0;
                if !c.read_closed[side] && (c.blackholed || c.flows[reading].queued < MAX_QUEUED) {
                    events |= libc::POLLIN;
                }
                let allowance = c.flows[writing].allowance(trickle, now);
                if let Some(&(due, _)) = c.flows[writing].queue.front() {
                    if due > now {
                        next = Some(next.map_or(due, |n| n.min(due)));
                    } else if allowance == 0 {
                        let tick = now + Duration::from_millis(1);
                        next = Some(next.map_or(tick, |n| n.min(tick)));
                    } else {
                        events |= libc::POLLOUT;
                    }
                }
                // No interest, no fd: a socket shut down both ways would
                // report POLLHUP on every round.
                let fd = c.sides[side]
                    .as_ref()
                    .filter(|_| events != 0)
                    .map_or(-1, |s| s.as_raw_fd());
                v.push(pfd(fd, events));
            }
        }
        let timeout = next.map_or(-1, |n| {
            n.saturating_duration_since(now).as_micros().div_ceil(1000) as i32
        });
        (v, timeout)
    }

    fn accept(&mut self, blackhole: bool) {
        loop {
            let client = match self.listener.accept() {
                Ok((s, _)) => s,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) => panic!("proxy: accept: {e}"),
            };
            let Ok(server) = TcpStream::connect_timeout(&self.upstream, GUARD) else {
                let _ = SockRef::from(&client).set_linger(Some(Duration::ZERO));
                continue;
            };
            for s in [&client, &server] {
                s.set_nonblocking(true).unwrap();
                s.set_nodelay(true).unwrap();
            }
            for c in &mut self.conns {
                c.newest = false;
            }
            self.conns.push(Conn {
                sides: [Some(client), Some(server)],
                flows: [Flow::new(), Flow::new()],
                read_closed: [false; 2],
                blackholed: blackhole,
                newest: true,
            });
            self.publish(|s| {
                s.accepted += 1;
                s.newest = [0, 0];
            });
        }
    }
}

/// Reads what side `side` sent and queues it (due at `due`) for the other
/// side, or drops it (blackhole, an armed cut).
fn read_side(
    shared: &Shared,
    c: &mut Conn,
    side: usize,
    buf: &mut [u8],
    due: Instant,
    blackhole_now: bool,
) {
    let Some(sock) = c.sides[side].as_mut() else {
        return;
    };
    let n = match sock.read(buf) {
        Ok(n) => n,
        Err(e) if e.kind() == ErrorKind::WouldBlock => return,
        Err(_) if !c.blackholed => {
            // Reset by one side: reset the other too.
            c.cut(Cut::Reset);
            return;
        }
        Err(_) => 0,
    };
    if n == 0 {
        c.read_closed[side] = true;
        if c.blackholed {
            // Not passed on: the other side is left half-open.
            c.sides[side] = None;
        }
        return;
    }
    if c.newest {
        let mut st = shared.stats.lock().unwrap();
        st.newest[side] += n as u64;
        drop(st);
        shared.changed.notify_all();
    }
    if c.blackholed || blackhole_now {
        return;
    }
    let armed = {
        let mut ctl = shared.ctl.lock().unwrap();
        match ctl.arm {
            Some((dir, how)) if dir as usize == side => {
                ctl.arm = None;
                Some(how)
            }
            _ => None,
        }
    };
    if let Some(how) = armed {
        c.cut(how);
        let mut st = shared.stats.lock().unwrap();
        st.armed_fired += 1;
        st.cuts += 1;
        drop(st);
        shared.changed.notify_all();
        return;
    }
    let f = &mut c.flows[side];
    f.queue.push_back((due, buf[..n].to_vec()));
    f.queued += n;
}

/// Writes flow `dir`'s due chunks within the trickle allowance; passes a
/// close on once everything before it is written.
fn write_flow(c: &mut Conn, dir: usize, trickle: usize, now: Instant) {
    let to = 1 - dir;
    let f = &mut c.flows[dir];
    let Some(sock) = c.sides[to].as_mut() else {
        return;
    };
    while f.queue.front().is_some_and(|(due, _)| *due <= now) {
        let allowance = f.allowance(trickle, now);
        if allowance == 0 {
            break;
        }
        let chunk = &f.queue[0].1;
        let end = chunk.len().min(f.written.saturating_add(allowance));
        match sock.write(&chunk[f.written..end]) {
            Ok(n) => {
                f.written += n;
                f.queued -= n;
                if trickle > 0 {
                    f.budget -= n;
                }
                if f.written == chunk.len() {
                    f.queue.pop_front();
                    f.written = 0;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(_) => {
                c.cut(Cut::Reset);
                return;
            }
        }
    }
    if c.read_closed[dir] && f.queue.is_empty() && !c.blackholed {
        let _ = sock.shutdown(Shutdown::Write);
        if c.read_closed[to] {
            c.sides = [None, None];
        }
    }
}
