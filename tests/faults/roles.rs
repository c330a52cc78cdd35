//! The peer processes: this test binary run again with `--peer ROLE
//! [opt=value...]`. Each is an application on our library (through the C
//! functions), driven by the test over stdin/stdout, one line per request
//! and answer, and exits at `quit` or when stdin closes (the test died).
//!
//! - `pull`: binds a PULL; a thread receives and checks every message (its
//!   body is derived from its sequence number; no number comes twice);
//! - `push connect=EP [count=N]`: connects a PUSH and sends numbered
//!   messages from a thread, N of them (N more at `send N`) or until quit,
//!   holding back between `pause` and `resume`;
//! - `rep`: binds a REP that answers `rep:<i>` to `req:<i>`;
//! - `req connect=EP timeout=MS`: at `req <i>`, gets request i answered
//!   the lazy-pirate way: no reply within MS, and it closes the socket,
//!   opens another and sends again.
//!
//! Every role answers `status` with `STATUS key=value...`, counts from its
//! socket monitor included.

use crate::zmq::{self as z, Handle};
use std::collections::{HashSet, VecDeque};
use std::io::{BufRead, Write};
use std::os::raw::c_int;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zmq::ffi::consts::*;

/// The body of message `seq`: the number, then 56 bytes derived from it.
pub fn message(seq: u64) -> Vec<u8> {
    let mut m = seq.to_le_bytes().to_vec();
    m.extend((0..56u8).map(|i| (seq as u8).wrapping_mul(31).wrapping_add(i)));
    m
}

/// Socket options a role accepts as `name=value`.
const OPTIONS: &[(&str, c_int)] = &[
    ("reconnect_ivl", ZMQ_RECONNECT_IVL),
    ("heartbeat_ivl", ZMQ_HEARTBEAT_IVL),
    ("heartbeat_timeout", ZMQ_HEARTBEAT_TIMEOUT),
    ("heartbeat_ttl", ZMQ_HEARTBEAT_TTL),
    ("handshake_ivl", ZMQ_HANDSHAKE_IVL),
];

struct Args(Vec<(String, String)>);

impl Args {
    fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }
    fn num(&self, k: &str) -> Option<u64> {
        self.get(k).map(|v| v.parse().expect("a number"))
    }
    /// Applies the socket options among the arguments.
    fn apply(&self, s: Handle) {
        for (name, value) in &self.0 {
            if let Some(&(_, opt)) = OPTIONS.iter().find(|(n, _)| n == name) {
                z::set_int(s, opt, value.parse().expect("a number"));
            }
        }
        z::set_int(s, ZMQ_LINGER, 0);
    }
}

/// Monitor events seen: by event bit; connections lost after their
/// handshake (a DISCONNECTED not just after HANDSHAKE_FAILED_*); the
/// latest few in order.
#[derive(Default)]
struct Events([AtomicU64; 16], AtomicU64, Mutex<VecDeque<String>>);

impl Events {
    /// Counts `s`'s monitor events from a thread of their own.
    fn watch(ctx: Handle, s: Handle) -> Arc<Events> {
        let ev = Arc::new(Events::default());
        let pair = z::monitor(ctx, s, "faults-monitor");
        let counts = ev.clone();
        let start = Instant::now();
        let failed = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
            | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
            | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
        let mut handshake_failed = false;
        std::thread::spawn(move || loop {
            let (e, value) = z::next_event(pair);
            counts.0[e.trailing_zeros() as usize % 16].fetch_add(1, Relaxed);
            if c_int::from(e) == ZMQ_EVENT_DISCONNECTED && !std::mem::take(&mut handshake_failed) {
                counts.1.fetch_add(1, Relaxed);
            }
            handshake_failed |= c_int::from(e) & failed != 0;
            let mut log = counts.2.lock().unwrap();
            if log.len() == 32 {
                log.pop_front();
            }
            log.push_back(format!(
                "{:.3}s:{e:#x}:{value}",
                start.elapsed().as_secs_f64()
            ));
        });
        ev
    }
    fn get(&self, event: c_int) -> u64 {
        self.0[event.trailing_zeros() as usize].load(Relaxed)
    }
    /// The latest events, for a failure message.
    fn log(&self) -> String {
        self.2
            .lock()
            .unwrap()
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(",")
    }
    fn report(&self) -> String {
        format!(
            "connected={} accepted={} handshakes={} disconnected={} retried={} closed={} established_lost={}",
            self.get(ZMQ_EVENT_CONNECTED),
            self.get(ZMQ_EVENT_ACCEPTED),
            self.get(ZMQ_EVENT_HANDSHAKE_SUCCEEDED),
            self.get(ZMQ_EVENT_DISCONNECTED),
            self.get(ZMQ_EVENT_CONNECT_RETRIED),
            self.get(ZMQ_EVENT_CLOSED),
            self.1.load(Relaxed),
        )
    }
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").unwrap();
    out.flush().unwrap();
}

/// Answers the test's requests: `status` with `status()`, anything else
/// with `other`; returns at `quit` or end of input.
fn serve(status: impl Fn() -> String, events: Option<&Events>, mut other: impl FnMut(&str)) {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        match line.trim() {
            "quit" => return,
            "status" => say(&format!("STATUS {}", status())),
            "events" => say(&format!(
                "EVENTS {}",
                events.map(Events::log).unwrap_or_default()
            )),
            l => other(l),
        }
    }
}

pub fn run(argv: &[String]) {
    // Dies with the test, whatever happens to it.
    // SAFETY: plain prctl on this process.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    // Memory is measured in this process: without transparent huge pages,
    // resident memory moves in 4 KiB pages rather than 2 MiB ones.
    // SAFETY: plain prctl on this process.
    unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    let role = argv[0].as_str();
    let args = Args(
        argv[1..]
            .iter()
            .filter_map(|a| a.split_once('='))
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
    );
    match role {
        "pull" => pull(&args),
        "push" => push(&args),
        "rep" => rep(&args),
        "req" => req(&args),
        _ => panic!("no role {role}"),
    }
    // Without zmq_ctx_term: the io threads go with the process.
    std::process::exit(0);
}

fn pull(args: &Args) {
    let ctx = z::ctx();
    let s = z::socket(ctx, ZMQ_PULL);
    args.apply(s);
    let events = Events::watch(ctx, s);
    say(&format!("ENDPOINT {}", z::bind(s, "tcp://127.0.0.1:*")));
    let counter = || Arc::new(AtomicU64::new(0));
    let (received, bad, dup, late, last) = (counter(), counter(), counter(), counter(), counter());
    {
        let (received, bad, dup, late, last) = (
            received.clone(),
            bad.clone(),
            dup.clone(),
            late.clone(),
            last.clone(),
        );
        std::thread::spawn(move || {
            let mut buf = [0u8; 256];
            let mut seen = Recent::new();
            loop {
                let Some(n) = z::recv(s, &mut buf, 0) else {
                    continue;
                };
                let seq = buf
                    .get(..8)
                    .map_or(0, |b| u64::from_le_bytes(b.try_into().unwrap()));
                if buf[..n] != message(seq)[..] {
                    bad.fetch_add(1, Relaxed);
                } else {
                    if seq < seen.last {
                        late.fetch_add(1, Relaxed);
                    }
                    if !seen.first_time(seq) {
                        dup.fetch_add(1, Relaxed);
                    }
                }
                last.store(seen.last, Relaxed);
                received.fetch_add(1, Relaxed);
            }
        });
    }
    let status = || {
        format!(
            "received={} bad={} dup={} late={} last={} {}",
            received.load(Relaxed),
            bad.load(Relaxed),
            dup.load(Relaxed),
            late.load(Relaxed),
            last.load(Relaxed),
            events.report()
        )
    };
    serve(&status, Some(&events), |l| {
        // `more N`: answers once more than N messages have arrived.
        let n: u64 = l
            .strip_prefix("more ")
            .and_then(|n| n.parse().ok())
            .expect("more N");
        let deadline = Instant::now() + Duration::from_secs(30);
        while received.load(Relaxed) <= n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        say(&format!("STATUS {}", status()));
    });
}

/// The sequence numbers seen lately, to tell a duplicate from a late
/// message: a PULL fair-queues between the connection being cut and the
/// next one, so numbers may arrive out of order, but never twice. Numbers
/// more than WINDOW below the highest count as duplicates (nothing stays
/// queued that long), so memory stays fixed.
struct Recent {
    bits: Vec<u64>,
    last: u64,
}

const WINDOW: u64 = 1 << 20;

impl Recent {
    fn new() -> Recent {
        Recent {
            bits: vec![0; (WINDOW / 64) as usize],
            last: 0,
        }
    }

    fn bit(&mut self, seq: u64) -> (&mut u64, u64) {
        let i = seq % WINDOW;
        (&mut self.bits[(i / 64) as usize], 1 << (i % 64))
    }

    /// Records `seq`; false if it was seen before (or is too old to tell).
    fn first_time(&mut self, seq: u64) -> bool {
        if seq > self.last {
            // Forget what the window slides past.
            if seq - self.last >= WINDOW {
                self.bits.fill(0);
            } else {
                for s in self.last + 1..seq {
                    let (w, b) = self.bit(s);
                    *w &= !b;
                }
            }
            self.last = seq;
            let (w, b) = self.bit(seq);
            *w |= b;
            return true;
        }
        if seq + WINDOW <= self.last {
            return false;
        }
        let (w, b) = self.bit(seq);
        let first = *w & b == 0;
        *w |= b;
        first
    }
}

fn push(args: &Args) {
    let ctx = z::ctx();
    let s = z::socket(ctx, ZMQ_PUSH);
    args.apply(s);
    // A bounded wait, so the sender can notice nothing else; EAGAIN just
    // means it tries the same message again.
    z::set_int(s, ZMQ_SNDTIMEO, 100);
    let events = Events::watch(ctx, s);
    z::connect(s, args.get("connect").expect("connect=EP"));
    let sent = Arc::new(AtomicU64::new(0));
    let paused = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // How many more to send, from `count=` and then each `send N`.
    let (more, quotas) = std::sync::mpsc::channel::<u64>();
    more.send(args.num("count").unwrap_or(u64::MAX)).unwrap();
    {
        let (sent, paused) = (sent.clone(), paused.clone());
        std::thread::spawn(move || {
            let mut seq = 0;
            for n in quotas {
                for _ in 0..n {
                    while paused.load(Relaxed) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    seq += 1;
                    let m = message(seq);
                    while !z::send(s, &m, 0) {}
                    sent.store(seq, Relaxed);
                }
            }
        });
    }
    serve(
        || format!("sent={} {}", sent.load(Relaxed), events.report()),
        Some(&events),
        |l| match l {
            // Pausing: answered once no send is under way.
            "pause" => {
                paused.store(true, Relaxed);
                let mut last = sent.load(Relaxed);
                loop {
                    std::thread::sleep(Duration::from_millis(5));
                    let now = sent.load(Relaxed);
                    if now == last {
                        break;
                    }
                    last = now;
                }
                say("PAUSED");
            }
            "resume" => paused.store(false, Relaxed),
            _ => {
                let n = l
                    .strip_prefix("send ")
                    .and_then(|n| n.parse().ok())
                    .expect("send N");
                more.send(n).unwrap();
            }
        },
    );
}

fn rep(args: &Args) {
    let ctx = z::ctx();
    let s = z::socket(ctx, ZMQ_REP);
    args.apply(s);
    say(&format!("ENDPOINT {}", z::bind(s, "tcp://127.0.0.1:*")));
    let seen = Arc::new(Mutex::new((HashSet::<u64>::new(), 0u64)));
    {
        let seen = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 64];
            loop {
                let n = z::recv(s, &mut buf, 0).expect("a request");
                let text = std::str::from_utf8(&buf[..n]).expect("text");
                let i: u64 = text
                    .strip_prefix("req:")
                    .and_then(|i| i.parse().ok())
                    .expect("req:<i>");
                {
                    let mut g = seen.lock().unwrap();
                    g.0.insert(i);
                    g.1 += 1;
                }
                z::send(s, format!("rep:{i}").as_bytes(), 0);
            }
        });
    }
    serve(
        || {
            let g = seen.lock().unwrap();
            format!("distinct={} total={}", g.0.len(), g.1)
        },
        None,
        |l| panic!("rep: {l}?"),
    );
}

fn req(args: &Args) {
    let ctx = z::ctx();
    let ep = args.get("connect").expect("connect=EP").to_string();
    let timeout = args.num("timeout").expect("timeout=MS") as i64;
    let open = || {
        let s = z::socket(ctx, ZMQ_REQ);
        args.apply(s);
        z::connect(s, &ep);
        s
    };
    let mut s = open();
    let retries_total = std::cell::Cell::new(0u64);
    serve(
        || format!("retries={}", retries_total.get()),
        None,
        |l| {
            let i: u64 = l
                .strip_prefix("req ")
                .and_then(|i| i.parse().ok())
                .expect("req <i>");
            let request = format!("req:{i}");
            let mut retries = 0u64;
            loop {
                assert!(
                    z::send(s, request.as_bytes(), 0),
                    "a REQ send does not block here"
                );
                if z::poll_in(s, timeout) {
                    let mut buf = [0u8; 64];
                    let n = z::recv(s, &mut buf, 0).expect("the reply poll announced");
                    let want = format!("rep:{i}");
                    if &buf[..n] != want.as_bytes() {
                        say(&format!(
                            "BAD reply {:?} to {request}",
                            String::from_utf8_lossy(&buf[..n])
                        ));
                    }
                    break;
                }
                // Lazy pirate: the socket may be stuck awaiting a reply
                // that will never come; start over with a fresh one.
                z::close(s);
                s = open();
                retries += 1;
                if retries > 100 {
                    say(&format!("GIVEUP {i}"));
                    return;
                }
            }
            retries_total.set(retries_total.get() + retries);
            say(&format!("REPLY {i} retries={retries}"));
        },
    );
}
