//! The ZAP reply path: arbitrary reply frames given to a NULL, PLAIN or
//! CURVE server that is waiting for its handler, with a real client on
//! the other end. What the reply parser says must be what both sessions
//! then do.
//!
//! Input: octet 0 picks the mechanism; then frames, each a header octet
//! (bit 0 MORE, the rest the length) and that many octets.

use crate::session::{config, Knobs, Mech, Side};
use std::time::Instant;
use zmq::msg::Msg;
use zmq::proto::mechanism::zap::{judge, parse_reply, Judgement};
use zmq::proto::mechanism::{MechanismOptions, PeerInfo, ZapVerdict};
use zmq::proto::{Event, Failure, MonitorEvent, Session};

/// Reply frames from the fuzzer's octets, up to the first without MORE:
/// the ZAP client hands over a message once its last frame is in.
pub fn frames_of(mut data: &[u8]) -> Vec<Msg> {
    let mut frames = Vec::new();
    while let Some((&h, rest)) = data.split_first() {
        let n = usize::from(h >> 1).min(rest.len());
        let mut m = Msg::from_slice(&rest[..n]);
        m.set_more(h & 1 != 0);
        frames.push(m);
        if h & 1 == 0 {
            break;
        }
        data = &rest[n..];
    }
    frames
}

/// The inverse of [`frames_of`] for frames under 128 octets (seeds).
pub fn encode_frames(parts: &[&[u8]], more_on_last: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let more = i + 1 < parts.len() || more_on_last;
        out.push((p.len() as u8) << 1 | u8::from(more));
        out.extend_from_slice(p);
    }
    out
}

struct End {
    s: Session,
    events: Vec<Event>,
    failure: Option<Failure>,
}

impl End {
    fn drain(&mut self, now: Instant) {
        while self.failure.is_none() {
            match self.s.poll_event(now) {
                Ok(Some(e)) => self.events.push(e),
                Ok(None) => return,
                Err(f) => self.failure = Some(f),
            }
        }
    }

    fn handshakes(&self) -> usize {
        self.events.iter().filter(|e| matches!(e, Event::Handshake(_))).count()
    }
}

/// Moves octets both ways until neither side has more to say.
fn exchange(a: &mut End, b: &mut End, now: Instant) {
    for _ in 0..100 {
        let (oa, ob) = (out(&mut a.s), out(&mut b.s));
        if oa.is_empty() && ob.is_empty() {
            return;
        }
        if a.failure.is_none() {
            a.s.on_input(&ob);
            a.drain(now);
        }
        if b.failure.is_none() {
            b.s.on_input(&oa);
            b.drain(now);
        }
    }
    panic!("sessions never went quiet");
}

fn out(s: &mut Session) -> Vec<u8> {
    let v: Vec<u8> = s.out_chunks().flatten().copied().collect();
    s.out_consumed(v.len());
    v
}

pub fn zap_reply(data: &[u8]) {
    let [sel, rest @ ..] = data else { return };
    let mech = [Mech::Null, Mech::Plain, Mech::Curve][usize::from(*sel) % 3];
    let frames = frames_of(rest);
    let k = Knobs { zap_domain: true, ..Knobs::parse(0, 0) };
    let now = Instant::now();
    let server_cfg = config(mech, Side::Server, &k);
    let mut client = End { s: Session::new(config(mech, Side::Client, &k), now), events: vec![], failure: None };
    let mut server = End { s: Session::new(server_cfg.clone(), now), events: vec![], failure: None };
    client.s.set_random(Box::new(crate::session::FixedRandom(1)));
    server.s.set_random(Box::new(crate::session::FixedRandom(2)));
    exchange(&mut client, &mut server, now);
    assert!(client.failure.is_none() && server.failure.is_none());
    let asked = server.events.iter().any(|e| matches!(e, Event::ZapRequest(_)));
    assert!(asked, "the server should be waiting for ZAP");

    // What the parser alone says.
    let parsed = parse_reply(&frames);
    let opts = MechanismOptions { recv_routing_id: server_cfg.recv_routing_id, ..MechanismOptions::new(server_cfg.socket_type) };
    let judged = judge(&frames, &mut PeerInfo::default(), &opts);
    match (&parsed, &judged) {
        (Err(p), Err(j)) => assert_eq!(p, j),
        (Err(p), Ok(_)) => panic!("judge accepted what parse refused: {p:?}"),
        (Ok(r), j) => {
            assert!(frames.len() == 7 && matches!(r.status, 200 | 300 | 400 | 500));
            assert_eq!(r.user_id, frames[5].data());
            if let Err(f) = j {
                assert_eq!(f.event, MonitorEvent::Protocol(zmq::proto::code::ZAP_INVALID_METADATA));
            }
        }
    }

    // What the sessions do with it.
    let r = server.s.zap_reply(ZapVerdict::Reply(frames.clone()), now);
    if let Err(f) = judged {
        assert_eq!(r.err().map(|e| e.event), Some(f.event));
        return;
    }
    let Ok(judgement) = judged else { return };
    let status = match judgement {
        Judgement::Allow => 200,
        Judgement::TryLater => 300,
        Judgement::Deny(s) => s,
    };
    match r {
        // NULL ends a refused handshake at once (after ERROR for 400/500);
        // PLAIN and CURVE go quiet instead.
        Err(f) if mech == Mech::Null && status != 200 => {
            assert_eq!(f.event, MonitorEvent::Auth(status));
            server.failure = Some(f);
        }
        Err(f) => panic!("a reply judged {judgement:?} failed the {mech:?} server: {f:?}"),
        Ok(()) => {
            assert!(mech != Mech::Null || status == 200, "NULL went on after {status}");
            server.drain(now);
            if status != 200 {
                let refused = server.events.iter().any(|e| matches!(e, Event::AuthRefused(s) if *s == status));
                assert!(refused, "no AuthRefused({status})");
            }
        }
    }
    exchange(&mut client, &mut server, now);
    match judgement {
        Judgement::Allow => {
            assert!(client.failure.is_none() && server.failure.is_none(), "{:?} {:?}", client.failure, server.failure);
            assert_eq!((client.handshakes(), server.handshakes()), (1, 1));
            let Some(Event::Handshake(h)) = server.events.iter().find(|e| matches!(e, Event::Handshake(_))) else {
                unreachable!()
            };
            assert_eq!(h.user_id, frames[5].data());
        }
        Judgement::TryLater => {
            assert_eq!((client.handshakes(), server.handshakes()), (0, 0));
            assert!(client.failure.is_none());
        }
        Judgement::Deny(status) => {
            assert_eq!((client.handshakes(), server.handshakes()), (0, 0));
            assert_eq!(client.failure.map(|f| f.event), Some(MonitorEvent::Auth(status)));
        }
    }
}
