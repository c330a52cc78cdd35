//! Connection timers as data: the handshake deadline and ZMTP 3.1
//! heartbeats. The engine asks for the earliest deadline and calls back
//! when it passes; time always comes in from outside.

use std::time::{Duration, Instant};

/// The options behind the timers, in libzmq's units (milliseconds).
#[derive(Clone, Copy, Debug)]
pub struct TimerConfig {
    /// ZMQ_HANDSHAKE_IVL; 0 = no limit.
    pub handshake_ivl_ms: i32,
    /// ZMQ_HEARTBEAT_IVL; 0 = no PINGs.
    pub heartbeat_ivl_ms: i32,
    /// ZMQ_HEARTBEAT_TTL, sent to the peer in deciseconds.
    pub heartbeat_ttl_ms: i32,
    /// ZMQ_HEARTBEAT_TIMEOUT; -1 = same as the interval.
    pub heartbeat_timeout_ms: i32,
}

impl Default for TimerConfig {
    fn default() -> Self {
        TimerConfig {
            handshake_ivl_ms: 30_000,
            heartbeat_ivl_ms: 0,
            heartbeat_ttl_ms: 0,
            heartbeat_timeout_ms: -1,
        }
    }
}

/// What a passed deadline asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Due {
    Nothing,
    /// Send a PING now (the next one is already scheduled).
    Ping,
    /// The connection timed out (handshake, heartbeat timeout or TTL).
    Expired,
}

pub(crate) struct Timers {
    ivl: Option<Duration>,
    timeout: Option<Duration>,
    ttl_ds: u16,
    handshake_at: Option<Instant>,
    ping_at: Option<Instant>,
    timeout_at: Option<Instant>,
    ttl_at: Option<Instant>,
}

fn ms(v: i32) -> Option<Duration> {
    (v > 0).then(|| Duration::from_millis(v as u64))
}

impl Timers {
    /// Arms the handshake deadline, as libzmq does when the engine starts.
    pub(crate) fn new(cfg: &TimerConfig, now: Instant) -> Timers {
        let ivl = ms(cfg.heartbeat_ivl_ms);
        let timeout = match ivl {
            None => None,
            Some(i) if cfg.heartbeat_timeout_ms == -1 => Some(i),
            Some(_) => ms(cfg.heartbeat_timeout_ms),
        };
        Timers {
            ivl,
            timeout,
            ttl_ds: (cfg.heartbeat_ttl_ms.max(0) / 100).min(u16::MAX as i32) as u16,
            handshake_at: ms(cfg.handshake_ivl_ms).map(|d| now + d),
            ping_at: None,
            timeout_at: None,
            ttl_at: None,
        }
    }

    /// The TTL our PINGs carry, in deciseconds.
    pub(crate) fn ttl_deciseconds(&self) -> u16 {
        self.ttl_ds
    }

    /// The handshake finished: drop its deadline; with `heartbeats`, start
    /// PINGing every interval.
    pub(crate) fn handshake_done(&mut self, now: Instant, heartbeats: bool) {
        self.handshake_at = None;
        if heartbeats {
            self.ping_at = self.ivl.map(|i| now + i);
        }
    }

    /// Any frame from the peer proves it alive.
    pub(crate) fn on_inbound(&mut self) {
        self.timeout_at = None;
        self.ttl_at = None;
    }

    /// A PING arrived with `ttl` deciseconds: unless already armed, the
    /// peer must send something within that time. libzmq multiplies in 16
    /// bits, so TTLs above 6553.5 s wrap; we match the wire behaviour.
    pub(crate) fn on_ping(&mut self, ttl: u16, now: Instant) {
        let t = ttl.wrapping_mul(100);
        if self.ttl_at.is_none() && t > 0 {
            self.ttl_at = Some(now + Duration::from_millis(t as u64));
        }
    }

    /// A PING went out: the peer must answer (with anything) in time.
    pub(crate) fn ping_sent(&mut self, now: Instant) {
        if self.timeout_at.is_none() {
            self.timeout_at = self.timeout.map(|t| now + t);
        }
    }

    /// The earliest armed deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        [
            self.handshake_at,
            self.ping_at,
            self.timeout_at,
            self.ttl_at,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Handles whatever is due at `now`. Expiry wins over a due PING.
    pub(crate) fn poll(&mut self, now: Instant) -> Due {
        let due = |t: Option<Instant>| t.is_some_and(|t| t <= now);
        if due(self.handshake_at) || due(self.timeout_at) || due(self.ttl_at) {
            return Due::Expired;
        }
        if due(self.ping_at) {
            self.ping_at = self.ivl.map(|i| now + i);
            return Due::Ping;
        }
        Due::Nothing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(hs: i32, ivl: i32, ttl: i32, to: i32) -> TimerConfig {
        TimerConfig {
            handshake_ivl_ms: hs,
            heartbeat_ivl_ms: ivl,
            heartbeat_ttl_ms: ttl,
            heartbeat_timeout_ms: to,
        }
    }

    #[test]
    fn handshake_deadline() {
        let t0 = Instant::now();
        let mut t = Timers::new(&cfg(100, 0, 0, -1), t0);
        assert_eq!(t.next_deadline(), Some(t0 + Duration::from_millis(100)));
        assert_eq!(t.poll(t0 + Duration::from_millis(99)), Due::Nothing);
        assert_eq!(t.poll(t0 + Duration::from_millis(100)), Due::Expired);
        let mut t = Timers::new(&cfg(0, 0, 0, -1), t0);
        assert_eq!(t.next_deadline(), None);
        t.handshake_done(t0, true);
        assert_eq!(t.next_deadline(), None);
    }

    #[test]
    fn ping_timeout_defaults_to_interval_and_is_cancelled_by_traffic() {
        let t0 = Instant::now();
        let mut t = Timers::new(&cfg(100, 50, 5000, -1), t0);
        assert_eq!(t.ttl_deciseconds(), 50);
        t.handshake_done(t0, true);
        assert_eq!(t.next_deadline(), Some(t0 + Duration::from_millis(50)));
        let t1 = t0 + Duration::from_millis(50);
        assert_eq!(t.poll(t1), Due::Ping);
        t.ping_sent(t1);
        assert_eq!(t.next_deadline(), Some(t1 + Duration::from_millis(50)));
        t.on_inbound();
        assert_eq!(
            t.poll(t1 + Duration::from_millis(50)),
            Due::Ping,
            "answered: no expiry"
        );
        t.ping_sent(t1 + Duration::from_millis(50));
        assert_eq!(t.poll(t1 + Duration::from_millis(100)), Due::Expired);
    }

    #[test]
    fn remote_ttl() {
        let t0 = Instant::now();
        let mut t = Timers::new(&cfg(0, 0, 0, -1), t0);
        t.on_ping(0, t0);
        assert_eq!(t.next_deadline(), None);
        t.on_ping(3, t0);
        t.on_ping(9, t0);
        assert_eq!(
            t.next_deadline(),
            Some(t0 + Duration::from_millis(300)),
            "first arming stays"
        );
        t.on_inbound();
        assert_eq!(t.next_deadline(), None);
        t.on_ping(3, t0);
        assert_eq!(t.poll(t0 + Duration::from_millis(300)), Due::Expired);
    }
}
