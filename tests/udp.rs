//! The udp transport end to end, through our sockets and their io
//! threads: RADIO to DISH unicast, DGRAM both ways, the errnos and
//! ZMQ_LAST_ENDPOINT libzmq gives, malformed and oversized datagrams
//! dropped and counted without disturbing what follows, and (in a network
//! namespace of their own, where one can be made) multicast with and
//! without loop.
//!
//! udp has no connection to wait for: a DISH's socket opens on its io
//! thread after zmq_bind returns. Each test first sends until a datagram
//! arrives (bounded), then asserts on what follows.

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zmq::ctx::CtxShared;
use zmq::error::Error;
use zmq::ffi::consts::*;
use zmq::msg::Msg;
use zmq::socket::{DatagramCounts, Socket};
use zmq::types::SocketType;

const RADIO: SocketType = SocketType::Radio;
const DISH: SocketType = SocketType::Dish;
const DGRAM: SocketType = SocketType::Dgram;
/// How long anything may take before a test gives up (a hang guard).
const PATIENCE: Duration = Duration::from_secs(20);

/// A udp port nothing listened on just now.
fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn last_endpoint(s: &Socket) -> String {
    let mut buf = [0u8; 256];
    let mut len = buf.len();
    s.getsockopt(ZMQ_LAST_ENDPOINT, &mut buf, &mut len).unwrap();
    String::from_utf8(buf[..len.saturating_sub(1)].to_vec()).unwrap()
}

fn set_int(s: &Socket, opt: i32, v: i32) {
    s.setsockopt(opt, &v.to_ne_bytes()).unwrap();
}

fn send_group(s: &Socket, group: &[u8], body: &[u8]) {
    let mut m = Msg::from_slice(body);
    m.set_group(Some(group));
    s.send(&mut m, 0).unwrap();
}

/// What `until_delivered` sends: late copies may still arrive after it
/// returns, and are skipped.
const SYNC: &[u8] = b"sync";

/// The next message within PATIENCE, less late SYNCs: (group, body).
fn recv_group(s: &Socket) -> (Vec<u8>, Vec<u8>) {
    set_int(s, ZMQ_RCVTIMEO, PATIENCE.as_millis() as i32);
    loop {
        let mut m = Msg::new();
        s.recv(&mut m, 0).expect("a message within the hang guard");
        if m.data() != SYNC {
            return (m.group().unwrap_or_default().to_vec(), m.data().to_vec());
        }
    }
}

/// No message waits but late SYNCs.
fn nothing_waiting(s: &Socket) -> bool {
    let mut m = Msg::new();
    loop {
        match s.recv(&mut m, ZMQ_DONTWAIT) {
            Ok(()) if m.data() == SYNC => continue,
            Ok(()) => return false,
            Err(e) => return e == Error::EAGAIN,
        }
    }
}

/// Calls `send` until `dish` receives a message of `group`, which it
/// drains: the DISH's socket is open and the path is clear.
fn until_delivered(dish: &Socket, group: &[u8], mut send: impl FnMut()) {
    let start = Instant::now();
    loop {
        send();
        std::thread::sleep(Duration::from_millis(10));
        let mut got = false;
        let mut m = Msg::new();
        while dish.recv(&mut m, ZMQ_DONTWAIT).is_ok() {
            got |= m.group() == Some(group);
        }
        if got {
            return;
        }
        assert!(start.elapsed() < PATIENCE, "nothing reached the DISH");
    }
}

fn counts(s: &Socket) -> DatagramCounts {
    s.datagram_counts().unwrap()
}

fn pair(ctx: &Arc<CtxShared>, port: u16) -> (&'static Socket, &'static Socket) {
    let dish = Socket::create(ctx, DISH).unwrap();
    dish.bind(&format!("udp://127.0.0.1:{port}")).unwrap();
    dish.membership(b"TV", true).unwrap();
    let radio = Socket::create(ctx, RADIO).unwrap();
    radio.connect(&format!("udp://127.0.0.1:{port}")).unwrap();
    until_delivered(dish, b"TV", || send_group(radio, b"TV", SYNC));
    (radio, dish)
}

#[test]
fn a_dish_gets_the_groups_it_joined_from_a_radio_over_unicast() {
    let ctx = CtxShared::new();
    let (radio, dish) = pair(&ctx, free_port());
    send_group(radio, b"Movies", b"not joined");
    send_group(radio, b"TV", b"Friends");
    assert_eq!(recv_group(dish), (b"TV".to_vec(), b"Friends".to_vec()));
    dish.membership(b"Movies", true).unwrap();
    dish.membership(b"TV", false).unwrap();
    send_group(radio, b"TV", b"left");
    send_group(radio, b"Movies", b"Godfather");
    assert_eq!(
        recv_group(dish),
        (b"Movies".to_vec(), b"Godfather".to_vec())
    );
    // Groups of every length up to 255 octets, past libzmq 4.3.4's signed
    // length octet; and bodies up to what fits in 8192.
    for len in [1usize, 127, 128, 200, 255] {
        let g = vec![b'g'; len];
        dish.membership(&g, true).unwrap();
        let body = vec![b'b'; 8192 - 1 - len];
        send_group(radio, &g, &body);
        assert_eq!(recv_group(dish), (g, body), "group of {len}");
    }
    assert!(
        nothing_waiting(dish),
        "the unjoined and left groups were filtered"
    );
    let c = counts(radio);
    assert_eq!((c.oversized_out, c.send_failed), (0, 0));
    radio.close().unwrap();
    dish.close().unwrap();
    ctx.terminate();
}

#[test]
fn what_will_not_fit_in_a_datagram_is_dropped_and_counted_at_the_radio() {
    let ctx = CtxShared::new();
    let (radio, dish) = pair(&ctx, free_port());
    send_group(radio, b"TV", &[0u8; 8192 - 2]);
    send_group(radio, b"TV", b"small");
    assert_eq!(recv_group(dish), (b"TV".to_vec(), b"small".to_vec()));
    assert_eq!(counts(radio).oversized_out, 1);
    radio.close().unwrap();
    dish.close().unwrap();
    ctx.terminate();
}

#[test]
fn malformed_and_oversized_datagrams_are_dropped_and_counted_alone() {
    let ctx = CtxShared::new();
    let port = free_port();
    let dish = Socket::create(&ctx, DISH).unwrap();
    dish.bind(&format!("udp://127.0.0.1:{port}")).unwrap();
    dish.membership(b"TV", true).unwrap();
    let raw = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = ("127.0.0.1", port);
    until_delivered(dish, b"TV", || {
        raw.send_to(&[&b"\x02TV"[..], SYNC].concat(), to).unwrap();
    });
    assert_eq!(counts(dish).malformed_in + counts(dish).oversized_in, 0);
    let bad: [&[u8]; 4] = [b"", b"\x09short", b"\x02T\x00x", b"\xff"];
    for d in bad {
        raw.send_to(d, to).unwrap();
    }
    raw.send_to(&[0x02, b'T', b'V'].repeat(3000), to).unwrap();
    // Exactly the limit, then one over: the first arrives whole.
    let max = [&b"\x02TV"[..], &vec![b'm'; 8192 - 3]].concat();
    raw.send_to(&max, to).unwrap();
    raw.send_to(&[&max[..], b"x"].concat(), to).unwrap();
    raw.send_to(b"\x02TVafter", to).unwrap();
    assert_eq!(recv_group(dish), (b"TV".to_vec(), max[3..].to_vec()));
    assert_eq!(recv_group(dish), (b"TV".to_vec(), b"after".to_vec()));
    let c = counts(dish);
    assert_eq!(c.malformed_in, 4, "{c:?}");
    assert_eq!(c.oversized_in, 2, "{c:?}");
    dish.close().unwrap();
    ctx.terminate();
}

#[test]
fn errnos_and_last_endpoint_are_libzmqs() {
    let ctx = CtxShared::new();
    let port = free_port();
    let ep = format!("udp://127.0.0.1:{port}");
    let radio = Socket::create(&ctx, RADIO).unwrap();
    let dish = Socket::create(&ctx, DISH).unwrap();
    let dgram = Socket::create(&ctx, DGRAM).unwrap();
    let publ = Socket::create(&ctx, SocketType::Pub).unwrap();
    // Only DISH and DGRAM bind, only RADIO connects, no other type at all.
    assert_eq!(radio.bind(&ep), Err(Error::ENOCOMPATPROTO));
    assert_eq!(dish.connect(&ep), Err(Error::ENOCOMPATPROTO));
    assert_eq!(dgram.connect(&ep), Err(Error::ENOCOMPATPROTO));
    assert_eq!(publ.bind(&ep), Err(Error::ENOCOMPATPROTO));
    assert_eq!(publ.connect(&ep), Err(Error::ENOCOMPATPROTO));
    // Addresses: no port, a bad one, a name to bind that is no interface,
    // an interface with a unicast target.
    assert_eq!(dish.bind("udp://127.0.0.1"), Err(Error::EINVAL));
    assert_eq!(radio.connect("udp://127.0.0.1:0x"), Err(Error::EINVAL));
    assert_eq!(dish.bind("udp://no-such-if0:5555"), Err(Error::ENODEV));
    assert_eq!(dish.bind("udp://lo;127.0.0.1:5555"), Err(Error::EINVAL));
    // ZMQ_LAST_ENDPOINT is the address as given, without the scheme.
    dish.bind(&format!("udp://*:{port}")).unwrap();
    assert_eq!(last_endpoint(dish), format!("*:{port}"));
    radio.connect(&ep).unwrap();
    assert_eq!(last_endpoint(radio), format!("127.0.0.1:{port}"));
    // Unbind and disconnect by the text as given.
    assert_eq!(dish.unbind(&ep), Err(Error::ENOENT));
    dish.unbind(&format!("udp://*:{port}")).unwrap();
    assert_eq!(dish.unbind(&format!("udp://*:{port}")), Err(Error::ENOENT));
    radio.disconnect(&ep).unwrap();
    assert_eq!(radio.disconnect(&ep), Err(Error::ENOENT));
    for s in [radio, dish, dgram, publ] {
        s.close().unwrap();
    }
    ctx.terminate();
}

fn send_to(s: &Socket, to: &[u8], body: &[u8]) {
    s.send(&mut Msg::from_slice(to), ZMQ_SNDMORE).unwrap();
    s.send(&mut Msg::from_slice(body), 0).unwrap();
}

/// (address frame, body) within PATIENCE.
fn recv_from(s: &Socket) -> (Vec<u8>, Vec<u8>) {
    set_int(s, ZMQ_RCVTIMEO, PATIENCE.as_millis() as i32);
    let mut a = Msg::new();
    s.recv(&mut a, 0)
        .expect("an address frame within the hang guard");
    assert!(a.more(), "the address frame comes first, with MORE");
    let mut b = Msg::new();
    s.recv(&mut b, 0).unwrap();
    assert!(!b.more());
    (a.data().to_vec(), b.data().to_vec())
}

/// The next message whose body is not `skip` (copies of the first
/// question, sent until one arrived, may still come).
fn recv_skipping(s: &Socket, skip: &[u8]) -> (Vec<u8>, Vec<u8>) {
    loop {
        let m = recv_from(s);
        if m.1 != skip {
            return m;
        }
    }
}

#[test]
fn dgram_sockets_talk_both_ways_by_address_frames() {
    let ctx = CtxShared::new();
    let (pa, pb) = (free_port(), free_port());
    let a = Socket::create(&ctx, DGRAM).unwrap();
    let b = Socket::create(&ctx, DGRAM).unwrap();
    a.bind(&format!("udp://127.0.0.1:{pa}")).unwrap();
    b.bind(&format!("udp://127.0.0.1:{pb}")).unwrap();
    let b_at = format!("127.0.0.1:{pb}");
    // B's socket opens on its io thread: ask until it answers.
    set_int(b, ZMQ_RCVTIMEO, 10);
    let start = Instant::now();
    let (from, body) = loop {
        send_to(a, b_at.as_bytes(), b"Is someone there ?");
        let mut m = Msg::new();
        if b.recv(&mut m, 0).is_ok() {
            let mut body = Msg::new();
            b.recv(&mut body, 0).unwrap();
            break (m.data().to_vec(), body.data().to_vec());
        }
        assert!(start.elapsed() < PATIENCE, "nothing reached B");
    };
    // libzmq's address frame: ip:port and the NUL it counts in its size.
    assert_eq!(from, format!("127.0.0.1:{pa}\0").into_bytes());
    assert_eq!(body, b"Is someone there ?");
    // The frame as received is a valid destination.
    send_to(b, &from, b"Yes, there is !");
    let got = recv_from(a);
    assert_eq!(
        got,
        (
            format!("{b_at}\0").into_bytes(),
            b"Yes, there is !".to_vec()
        )
    );
    // A destination that names no address drops that message alone.
    send_to(a, b"nowhere", b"lost");
    send_to(a, b"127.0.0.1:0", b"lost too");
    send_to(a, b_at.as_bytes(), b"kept");
    assert_eq!(recv_skipping(b, b"Is someone there ?").1, b"kept");
    let c = counts(a);
    assert_eq!(c.unaddressed_out, 2, "{c:?}");
    // An empty body is a datagram too.
    send_to(a, b_at.as_bytes(), b"");
    assert_eq!(recv_skipping(b, b"Is someone there ?").1, b"");
    a.close().unwrap();
    b.close().unwrap();
    ctx.terminate();
}

/// Whether this process may make a network namespace (as root, or
/// through a user namespace), with `ip` to set it up.
fn netns_prefix() -> Option<Vec<String>> {
    // As c-tests/compat/run-compat sets it up, where the reasons are:
    // groups on one end of a veth pair, not on loopback (which loops
    // everything back whatever ZMQ_MULTICAST_LOOP says).
    const SETUP: &str = "ip link set lo up && ip link add zmq0 type veth peer name zmq1 \
        && { echo 1 > /proc/sys/net/ipv6/conf/zmq1/disable_ipv6; \
        echo 0 > /proc/sys/net/ipv6/conf/zmq0/accept_dad; true; } 2>/dev/null \
        && ip link set zmq1 up && ip link set zmq0 up \
        && ip addr add 10.199.0.1/24 dev zmq0 && ip route add 224.0.0.0/4 dev zmq0";
    let root = euid() == 0;
    let tries: &[&[&str]] = if root {
        &[
            &["unshare", "--net"],
            &["unshare", "--net", "--map-root-user"],
        ]
    } else {
        &[&["unshare", "--net", "--map-root-user"]]
    };
    for base in tries {
        let mut p: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        p.extend(["--", "sh", "-c"].map(String::from));
        p.push(format!("{SETUP} && exec \"$@\""));
        p.push("netns".into());
        let ok = std::process::Command::new(&p[0])
            .args(&p[1..])
            .arg("true")
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(p);
        }
    }
    None
}

/// The effective uid, from /proc.
fn euid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|u| u.parse().ok())
        .unwrap_or(u32::MAX)
}

const IN_NETNS: &str = "ZMQ_UDP_TEST_IN_NETNS";

/// Runs the `#[ignore]`d multicast tests of this file in a fresh network
/// namespace with multicast routed over loopback.
#[test]
fn multicast_in_a_network_namespace() {
    let Some(prefix) = netns_prefix() else {
        eprintln!("multicast: no network namespace can be made here (not root, no user namespaces, or no ip): skipped");
        return;
    };
    let me = std::env::current_exe().unwrap();
    let out = std::process::Command::new(&prefix[0])
        .args(&prefix[1..])
        .arg(&me)
        .args(["--ignored", "--test-threads=1", "multicast::"])
        .env(IN_NETNS, "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("test result: ok. 4 passed"), "{text}");
}

mod multicast {
    use super::*;

    /// Only inside the namespace `multicast_in_a_network_namespace` makes.
    fn in_netns() -> bool {
        std::env::var_os(IN_NETNS).is_some()
    }

    fn group_pair(
        ctx: &Arc<CtxShared>,
        ep: &str,
        ipv6: bool,
    ) -> (&'static Socket, &'static Socket) {
        let dish = Socket::create(ctx, DISH).unwrap();
        let radio = Socket::create(ctx, RADIO).unwrap();
        set_int(dish, ZMQ_IPV6, ipv6.into());
        set_int(radio, ZMQ_IPV6, ipv6.into());
        dish.bind(ep).unwrap();
        radio.connect(ep).unwrap();
        dish.membership(b"TV", true).unwrap();
        (radio, dish)
    }

    fn exchange(ep: &str, ipv6: bool) {
        let ctx = CtxShared::new();
        let (radio, dish) = group_pair(&ctx, ep, ipv6);
        until_delivered(dish, b"TV", || send_group(radio, b"TV", SYNC));
        send_group(radio, b"Movies", b"not joined");
        send_group(radio, b"TV", b"Friends");
        assert_eq!(recv_group(dish), (b"TV".to_vec(), b"Friends".to_vec()));
        radio.close().unwrap();
        dish.close().unwrap();
        ctx.terminate();
    }

    #[test]
    #[ignore = "run in a network namespace by multicast_in_a_network_namespace"]
    fn ipv4_group() {
        if in_netns() {
            exchange("udp://239.0.0.1:5555", false);
        }
    }

    #[test]
    #[ignore = "run in a network namespace by multicast_in_a_network_namespace"]
    fn ipv4_group_on_a_named_interface() {
        if in_netns() {
            exchange("udp://zmq0;239.0.0.2:5556", false);
        }
    }

    #[test]
    #[ignore = "run in a network namespace by multicast_in_a_network_namespace"]
    fn ipv6_group() {
        if in_netns() {
            exchange("udp://[ff02::7a65:726f:6df1:a01]:5557", true);
        }
    }

    #[test]
    #[ignore = "run in a network namespace by multicast_in_a_network_namespace"]
    fn hops_and_no_loop() {
        if !in_netns() {
            return;
        }
        let ctx = CtxShared::new();
        let ep = "udp://239.0.0.3:5558";
        let dish = Socket::create(&ctx, DISH).unwrap();
        dish.bind(ep).unwrap();
        dish.membership(b"TV", true).unwrap();
        // ZMQ_MULTICAST_LOOP=0: this host's members never see the datagram.
        let quiet = Socket::create(&ctx, RADIO).unwrap();
        set_int(quiet, ZMQ_MULTICAST_LOOP, 0);
        quiet.connect(ep).unwrap();
        let loud = Socket::create(&ctx, RADIO).unwrap();
        set_int(loud, ZMQ_MULTICAST_HOPS, 4);
        loud.connect(ep).unwrap();
        let start = Instant::now();
        let mut seen = Vec::new();
        loop {
            send_group(quiet, b"TV", b"quiet");
            send_group(loud, b"TV", b"loud");
            std::thread::sleep(Duration::from_millis(10));
            let mut m = Msg::new();
            while dish.recv(&mut m, ZMQ_DONTWAIT).is_ok() {
                seen.push(m.data().to_vec());
            }
            if seen.len() >= 5 {
                break;
            }
            assert!(start.elapsed() < PATIENCE, "nothing looped back");
        }
        assert!(seen.iter().all(|d| d == b"loud"), "{seen:?}");
        // The quiet RADIO did send: the group just never looped back.
        assert!(counts(quiet).sent >= 5, "{:?}", counts(quiet));
        for s in [quiet, loud, dish] {
            s.close().unwrap();
        }
        ctx.terminate();
    }
}
