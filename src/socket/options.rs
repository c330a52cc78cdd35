//! Socket options common to every socket type: storage, defaults, and the
//! encoding rules of zmq_setsockopt/zmq_getsockopt (value sizes, ranges,
//! errno). Type-specific options live with their socket type.

use crate::consts::*;
use crate::error::{Error, Result};
use crate::types::SocketType;

/// String and set options for which libzmq tells a NULL value from a
/// pointer to zero octets: NULL clears (or, for the PLAIN credentials,
/// resets the mechanism), an empty value is EINVAL. Only the C entry
/// point still knows which it was given.
pub const NULL_CLEARS_EMPTY_INVALID: [i32; 8] =
    [ZMQ_TCP_ACCEPT_FILTER, ZMQ_PLAIN_USERNAME, ZMQ_PLAIN_PASSWORD, ZMQ_IPC_FILTER_PID, ZMQ_IPC_FILTER_UID, ZMQ_IPC_FILTER_GID, ZMQ_SOCKS_PROXY, ZMQ_BINDTODEVICE];

/// Every option that is not specific to one socket type.
#[derive(Clone, Debug)]
pub struct Options {
    pub socket_type: SocketType,
    pub sndhwm: i32,
    pub rcvhwm: i32,
    pub affinity: u64,
    pub routing_id: Vec<u8>,
    pub rate: i32,
    pub recovery_ivl: i32,
    pub multicast_hops: i32,
    pub multicast_maxtpdu: i32,
    pub sndbuf: i32,
    pub rcvbuf: i32,
    pub tos: i32,
    pub priority: i32,
    pub linger: i32,
    pub connect_timeout: i32,
    pub tcp_maxrt: i32,
    pub reconnect_stop: i32,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    pub backlog: i32,
    pub maxmsgsize: i64,
    pub rcvtimeo: i32,
    pub sndtimeo: i32,
    pub ipv6: bool,
    pub immediate: bool,
    pub tcp_keepalive: i32,
    pub tcp_keepalive_cnt: i32,
    pub tcp_keepalive_idle: i32,
    pub tcp_keepalive_intvl: i32,
    /// Raw accept-filter strings; parsed by the tcp transport.
    pub tcp_accept_filters: Vec<Vec<u8>>,
    pub ipc_uid_filters: Vec<u32>,
    pub ipc_gid_filters: Vec<u32>,
    pub ipc_pid_filters: Vec<i32>,
    pub mechanism: i32,
    pub as_server: bool,
    pub plain_username: Vec<u8>,
    pub plain_password: Vec<u8>,
    pub curve_public_key: [u8; 32],
    pub curve_secret_key: [u8; 32],
    pub curve_server_key: [u8; 32],
    pub socks_proxy: Vec<u8>,
    pub socks_username: Vec<u8>,
    pub socks_password: Vec<u8>,
    pub conflate: bool,
    pub zap_domain: Vec<u8>,
    pub zap_enforce_domain: bool,
    pub handshake_ivl: i32,
    pub connected: bool,
    pub heartbeat_ivl: i32,
    pub heartbeat_ttl: u16,
    pub heartbeat_timeout: i32,
    pub use_fd: i32,
    pub bound_device: Vec<u8>,
    pub loopback_fastpath: bool,
    pub multicast_loop: bool,
    pub in_batch_size: i32,
    pub out_batch_size: i32,
    pub invert_matching: bool,
    /// ZMQ_METADATA properties, "X-Name" → value.
    pub app_metadata: Vec<(String, Vec<u8>)>,
    /// ZMQ_CONNECT_ROUTING_ID, for the next connect only. Only the routing
    /// types (ROUTER, REP, STREAM) accept it: see `types::set_connect_routing_id`.
    pub connect_routing_id: Vec<u8>,
    pub hello_msg: Option<Vec<u8>>,
    pub disconnect_msg: Option<Vec<u8>>,
    /// Whether the socket wants peers' routing ids (ROUTER, STREAM, SERVER...).
    pub recv_routing_id: bool,
    pub raw_socket: bool,
    pub raw_notify: bool,
    /// ZMQ_ROUTER_NOTIFY bits: 1 announce connects, 2 disconnects.
    pub router_notify: i32,
    pub filter: bool,
}

impl Options {
    /// ZMQ_CONFLATE, where the socket type honours it.
    pub fn effective_conflate(&self) -> bool {
        self.conflate && self.socket_type.honours_conflate()
    }

    /// ZMQ_HELLO_MSG (draft), where the socket type greets new peers with it.
    pub fn effective_hello_msg(&self) -> Option<Vec<u8>> {
        self.hello_msg.clone().filter(|_| self.socket_type.sends_hello_msg())
    }

    /// ZMQ_DISCONNECT_MSG (draft), where the socket type is told of a lost
    /// peer with it.
    pub fn effective_disconnect_msg(&self) -> Option<Vec<u8>> {
        self.disconnect_msg.clone().filter(|_| self.socket_type.receives_disconnect_msg())
    }

    /// A pipe between this socket and a network connection: the socket's
    /// end (`.0`) may queue ZMQ_SNDHWM messages, the connection's ZMQ_RCVHWM;
    /// neither limit with ZMQ_CONFLATE.
    pub fn network_pipe(&self) -> (crate::pipe::Pipe, crate::pipe::Pipe) {
        let (a, b) = self.network_pipe_params();
        crate::pipe::pipe_pair(a, b)
    }

    /// The two ends' parameters of a `network_pipe`.
    pub fn network_pipe_params(&self) -> (crate::pipe::PipeParams, crate::pipe::PipeParams) {
        let conflate = self.effective_conflate();
        let (hs, hr) = if conflate { (0, 0) } else { (self.sndhwm.max(0) as u64, self.rcvhwm.max(0) as u64) };
        (
            crate::pipe::PipeParams { out_hwm: hs, in_hwm: hr, conflate },
            crate::pipe::PipeParams { out_hwm: hr, in_hwm: hs, conflate },
        )
    }

    pub fn new(socket_type: SocketType) -> Options {
        Options {
            socket_type,
            sndhwm: 1000,
            rcvhwm: 1000,
            affinity: 0,
            routing_id: Vec::new(),
            rate: 100,
            recovery_ivl: 10000,
            multicast_hops: 1,
            multicast_maxtpdu: 1500,
            sndbuf: -1,
            rcvbuf: -1,
            tos: 0,
            priority: 0,
            linger: -1,
            connect_timeout: 0,
            tcp_maxrt: 0,
            reconnect_stop: 0,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            backlog: 100,
            maxmsgsize: -1,
            rcvtimeo: -1,
            sndtimeo: -1,
            ipv6: false,
            immediate: false,
            tcp_keepalive: -1,
            tcp_keepalive_cnt: -1,
            tcp_keepalive_idle: -1,
            tcp_keepalive_intvl: -1,
            tcp_accept_filters: Vec::new(),
            ipc_uid_filters: Vec::new(),
            ipc_gid_filters: Vec::new(),
            ipc_pid_filters: Vec::new(),
            mechanism: ZMQ_NULL,
            as_server: false,
            plain_username: Vec::new(),
            plain_password: Vec::new(),
            curve_public_key: [0; 32],
            curve_secret_key: [0; 32],
            curve_server_key: [0; 32],
            socks_proxy: Vec::new(),
            socks_username: Vec::new(),
            socks_password: Vec::new(),
            conflate: false,
            zap_domain: Vec::new(),
            zap_enforce_domain: false,
            handshake_ivl: 30000,
            connected: false,
            heartbeat_ivl: 0,
            heartbeat_ttl: 0,
            heartbeat_timeout: -1,
            use_fd: -1,
            bound_device: Vec::new(),
            loopback_fastpath: false,
            multicast_loop: true,
            in_batch_size: 8192,
            out_batch_size: 8192,
            invert_matching: false,
            app_metadata: Vec::new(),
            connect_routing_id: Vec::new(),
            hello_msg: None,
            disconnect_msg: None,
            recv_routing_id: false,
            raw_socket: false,
            raw_notify: true,
            router_notify: 0,
            filter: false,
        }
    }
}

/// The raw value of a zmq_setsockopt call.
pub struct OptIn<'a>(pub &'a [u8]);

impl OptIn<'_> {
    /// An int option: exactly sizeof(int) octets.
    pub fn int(&self) -> Result<i32> {
        match <[u8; 4]>::try_from(self.0) {
            Ok(b) => Ok(i32::from_ne_bytes(b)),
            Err(_) => Err(Error::EINVAL),
        }
    }
    /// An int that must satisfy `ok`.
    pub fn int_where(&self, ok: impl Fn(i32) -> bool) -> Result<i32> {
        let v = self.int()?;
        if ok(v) {
            Ok(v)
        } else {
            Err(Error::EINVAL)
        }
    }
    /// A boolean that must be exactly 0 or 1.
    pub fn bool_strict(&self) -> Result<bool> {
        Ok(self.int_where(|v| v == 0 || v == 1)? == 1)
    }
    /// A boolean where any non-zero value is true.
    pub fn bool_relaxed(&self) -> Result<bool> {
        Ok(self.int()? != 0)
    }
    pub fn i64(&self) -> Result<i64> {
        <[u8; 8]>::try_from(self.0).map(i64::from_ne_bytes).map_err(|_| Error::EINVAL)
    }
    pub fn u64(&self) -> Result<u64> {
        <[u8; 8]>::try_from(self.0).map(u64::from_ne_bytes).map_err(|_| Error::EINVAL)
    }
    pub fn bytes(&self) -> &[u8] {
        self.0
    }
}

/// The caller's buffer of a zmq_getsockopt call; `len` is in/out.
pub struct OptOut<'a> {
    pub buf: &'a mut [u8],
    pub len: &'a mut usize,
}

impl OptOut<'_> {
    /// Writes an int option: the buffer must be exactly sizeof(int).
    pub fn int(&mut self, v: i32) -> Result<()> {
        if *self.len != 4 {
            return Err(Error::EINVAL);
        }
        self.buf[..4].copy_from_slice(&v.to_ne_bytes());
        Ok(())
    }
    /// As libzmq's socket-level options: a buffer at least large enough,
    /// the rest zeroed, the length set to the value's size.
    pub fn value_at_least(&mut self, v: &[u8]) -> Result<()> {
        if *self.len < v.len() {
            return Err(Error::EINVAL);
        }
        self.buf[..v.len()].copy_from_slice(v);
        self.buf[v.len()..*self.len].fill(0);
        *self.len = v.len();
        Ok(())
    }
    pub fn i64(&mut self, v: i64) -> Result<()> {
        if *self.len != 8 {
            return Err(Error::EINVAL);
        }
        self.buf[..8].copy_from_slice(&v.to_ne_bytes());
        Ok(())
    }
    pub fn u64(&mut self, v: u64) -> Result<()> {
        if *self.len != 8 {
            return Err(Error::EINVAL);
        }
        self.buf[..8].copy_from_slice(&v.to_ne_bytes());
        Ok(())
    }
    /// A string option: copied with its NUL; the buffer must hold both.
    pub fn string(&mut self, s: &[u8]) -> Result<()> {
        if *self.len < s.len() + 1 {
            return Err(Error::EINVAL);
        }
        self.buf[..s.len()].copy_from_slice(s);
        self.buf[s.len()] = 0;
        *self.len = s.len() + 1;
        Ok(())
    }
    /// A binary option (routing id): the buffer must hold it.
    pub fn binary(&mut self, b: &[u8]) -> Result<()> {
        if *self.len < b.len() {
            return Err(Error::EINVAL);
        }
        self.buf[..b.len()].copy_from_slice(b);
        *self.len = b.len();
        Ok(())
    }
    /// A CURVE key: 32 octets raw, or 41 as Z85 with NUL.
    pub fn curve_key(&mut self, k: &[u8; 32]) -> Result<()> {
        match *self.len {
            32 => {
                self.buf[..32].copy_from_slice(k);
                Ok(())
            }
            41 => {
                let z = crate::util::z85::encode(k)?;
                self.buf[..40].copy_from_slice(z.as_bytes());
                self.buf[40] = 0;
                Ok(())
            }
            _ => Err(Error::EINVAL),
        }
    }
}

fn string_opt(v: &[u8], max: usize) -> Result<Vec<u8>> {
    if v.len() > max {
        return Err(Error::EINVAL);
    }
    Ok(v.to_vec())
}

/// libzmq's set_curve_key: 32 raw octets, or Z85 text of 40 octets (41
/// with a NUL) read as a C string, i.e. up to its first NUL, and decoded
/// group by group into `key` in place. So, as in libzmq, a text cut
/// short by a NUL replaces only the front of the key, and a bad group
/// fails after the groups before it were written.
fn set_curve_key(key: &mut [u8; 32], v: &[u8]) -> Result<()> {
    match v.len() {
        32 => {
            key.copy_from_slice(v);
            Ok(())
        }
        40 | 41 => {
            let text = &v[..v.iter().position(|&b| b == 0).unwrap_or(v.len())];
            crate::util::z85::check_encoded_len(text.len())?;
            let n = crate::util::z85::decoded_len(text.len());
            crate::util::z85::decode_into(text, &mut key[..n])
        }
        _ => Err(Error::EINVAL),
    }
}

impl Options {
    /// Applies a generic option. EINVAL for unknown options and bad values.
    pub fn set(&mut self, opt: i32, v: OptIn<'_>) -> Result<()> {
        match opt {
            ZMQ_SNDHWM => self.sndhwm = v.int_where(|x| x >= 0)?,
            ZMQ_RCVHWM => self.rcvhwm = v.int_where(|x| x >= 0)?,
            ZMQ_AFFINITY => self.affinity = v.u64()?,
            ZMQ_ROUTING_ID => {
                let b = v.bytes();
                if b.is_empty() || b.len() > 255 {
                    return Err(Error::EINVAL);
                }
                self.routing_id = b.to_vec();
            }
            ZMQ_RATE => self.rate = v.int_where(|x| x > 0)?,
            ZMQ_RECOVERY_IVL => self.recovery_ivl = v.int_where(|x| x >= 0)?,
            ZMQ_SNDBUF => self.sndbuf = v.int_where(|x| x >= -1)?,
            ZMQ_RCVBUF => self.rcvbuf = v.int_where(|x| x >= -1)?,
            ZMQ_TOS => self.tos = v.int_where(|x| x >= 0)?,
            ZMQ_LINGER => self.linger = v.int_where(|x| x >= -1)?,
            ZMQ_CONNECT_TIMEOUT => self.connect_timeout = v.int_where(|x| x >= 0)?,
            ZMQ_TCP_MAXRT => self.tcp_maxrt = v.int_where(|x| x >= 0)?,
            ZMQ_RECONNECT_STOP => self.reconnect_stop = v.int()?,
            ZMQ_RECONNECT_IVL => self.reconnect_ivl = v.int_where(|x| x >= -1)?,
            ZMQ_RECONNECT_IVL_MAX => self.reconnect_ivl_max = v.int_where(|x| x >= 0)?,
            ZMQ_BACKLOG => self.backlog = v.int_where(|x| x >= 0)?,
            ZMQ_MAXMSGSIZE => self.maxmsgsize = v.i64()?,
            ZMQ_MULTICAST_HOPS => self.multicast_hops = v.int_where(|x| x > 0)?,
            ZMQ_MULTICAST_MAXTPDU => self.multicast_maxtpdu = v.int_where(|x| x > 0)?,
            ZMQ_RCVTIMEO => self.rcvtimeo = v.int_where(|x| x >= -1)?,
            ZMQ_SNDTIMEO => self.sndtimeo = v.int_where(|x| x >= -1)?,
            ZMQ_IPV4ONLY => self.ipv6 = !v.bool_strict()?,
            ZMQ_IPV6 => self.ipv6 = v.bool_strict()?,
            ZMQ_SOCKS_PROXY => self.socks_proxy = v.bytes().to_vec(),
            ZMQ_SOCKS_USERNAME => {
                if v.bytes().is_empty() {
                    return Err(Error::EINVAL);
                }
                self.socks_username = string_opt(v.bytes(), 255)?
            }
            ZMQ_SOCKS_PASSWORD => {
                if v.bytes().is_empty() {
                    return Err(Error::EINVAL);
                }
                self.socks_password = string_opt(v.bytes(), 255)?
            }
            ZMQ_TCP_KEEPALIVE => self.tcp_keepalive = v.int_where(|x| (-1..=1).contains(&x))?,
            ZMQ_TCP_KEEPALIVE_CNT => self.tcp_keepalive_cnt = v.int_where(|x| x == -1 || x >= 0)?,
            ZMQ_TCP_KEEPALIVE_IDLE => self.tcp_keepalive_idle = v.int_where(|x| x == -1 || x >= 0)?,
            ZMQ_TCP_KEEPALIVE_INTVL => self.tcp_keepalive_intvl = v.int_where(|x| x == -1 || x >= 0)?,
            ZMQ_IMMEDIATE => self.immediate = v.bool_strict()?,
            ZMQ_TCP_ACCEPT_FILTER => {
                let b = v.bytes();
                if b.is_empty() {
                    self.tcp_accept_filters.clear();
                } else {
                    // libzmq parses the value as a C string (up to a NUL)
                    // with the rules of its accept-time mask, under the
                    // ZMQ_IPV6 of the moment. Octets that are not UTF-8
                    // can only be junk after the mask's digits (which atoi
                    // ignores): kept as U+FFFD, they read the same.
                    let text = &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())];
                    let text = String::from_utf8_lossy(text);
                    if b.len() > 255 || crate::transport::accept_filter::AcceptFilter::parse(&text, self.ipv6).is_err() {
                        return Err(Error::EINVAL);
                    }
                    self.tcp_accept_filters.push(text.into_owned().into_bytes());
                }
            }
            ZMQ_IPC_FILTER_UID => {
                if v.bytes().is_empty() {
                    self.ipc_uid_filters.clear()
                } else {
                    self.ipc_uid_filters.push(v.int()? as u32)
                }
            }
            ZMQ_IPC_FILTER_GID => {
                if v.bytes().is_empty() {
                    self.ipc_gid_filters.clear()
                } else {
                    self.ipc_gid_filters.push(v.int()? as u32)
                }
            }
            ZMQ_IPC_FILTER_PID => {
                if v.bytes().is_empty() {
                    self.ipc_pid_filters.clear()
                } else {
                    self.ipc_pid_filters.push(v.int()?)
                }
            }
            ZMQ_PLAIN_SERVER => {
                self.as_server = v.bool_strict()?;
                self.mechanism = if self.as_server { ZMQ_PLAIN } else { ZMQ_NULL };
            }
            ZMQ_PLAIN_USERNAME => {
                let b = v.bytes();
                if b.is_empty() {
                    self.mechanism = ZMQ_NULL;
                } else {
                    self.plain_username = string_opt(b, 255)?;
                    self.as_server = false;
                    self.mechanism = ZMQ_PLAIN;
                }
            }
            ZMQ_PLAIN_PASSWORD => {
                let b = v.bytes();
                if b.is_empty() {
                    self.mechanism = ZMQ_NULL;
                } else {
                    self.plain_password = string_opt(b, 255)?;
                    self.as_server = false;
                    self.mechanism = ZMQ_PLAIN;
                }
            }
            ZMQ_CURVE_SERVER => {
                self.as_server = v.bool_strict()?;
                self.mechanism = if self.as_server { ZMQ_CURVE } else { ZMQ_NULL };
            }
            ZMQ_CURVE_PUBLICKEY => {
                set_curve_key(&mut self.curve_public_key, v.bytes())?;
                self.mechanism = ZMQ_CURVE;
            }
            ZMQ_CURVE_SECRETKEY => {
                set_curve_key(&mut self.curve_secret_key, v.bytes())?;
                self.mechanism = ZMQ_CURVE;
            }
            ZMQ_CURVE_SERVERKEY => {
                set_curve_key(&mut self.curve_server_key, v.bytes())?;
                self.as_server = false;
                self.mechanism = ZMQ_CURVE;
            }
            ZMQ_CONFLATE => self.conflate = v.bool_strict()?,
            ZMQ_ZAP_DOMAIN => {
                // libzmq: 1..=255 octets; an empty domain cannot be set.
                if v.bytes().is_empty() {
                    return Err(Error::EINVAL);
                }
                self.zap_domain = string_opt(v.bytes(), 255)?
            }
            ZMQ_ZAP_ENFORCE_DOMAIN => self.zap_enforce_domain = v.bool_strict()?,
            ZMQ_HANDSHAKE_IVL => self.handshake_ivl = v.int_where(|x| x >= 0)?,
            ZMQ_HEARTBEAT_IVL => self.heartbeat_ivl = v.int_where(|x| x >= 0)?,
            ZMQ_HEARTBEAT_TTL => {
                // Stored in deciseconds and sent as a u16. libzmq checks
                // the range after dividing (towards zero), so -99..=-1 ms
                // are accepted too, as 0.
                let ms = v.int_where(|x| (0..=65_535).contains(&(x / 100)))?;
                self.heartbeat_ttl = (ms / 100) as u16;
            }
            ZMQ_HEARTBEAT_TIMEOUT => self.heartbeat_timeout = v.int_where(|x| x >= 0)?,
            ZMQ_USE_FD => self.use_fd = v.int_where(|x| x >= -1)?,
            ZMQ_BINDTODEVICE => self.bound_device = string_opt(v.bytes(), 16)?,
            ZMQ_LOOPBACK_FASTPATH => self.loopback_fastpath = v.bool_strict()?,
            ZMQ_MULTICAST_LOOP => self.multicast_loop = v.bool_strict()?,
            ZMQ_IN_BATCH_SIZE => self.in_batch_size = v.int_where(|x| x > 0)?,
            ZMQ_OUT_BATCH_SIZE => self.out_batch_size = v.int_where(|x| x > 0)?,
            ZMQ_INVERT_MATCHING => self.invert_matching = v.bool_relaxed()?,
            ZMQ_METADATA => {
                // libzmq's rules: "X-name:value" with a non-empty value, a
                // name of at most 255 octets starting with "X-" (case
                // matters), and never exactly sizeof(int) octets long (it
                // checks for an int option first). A name already set keeps
                // its first value; names go out sorted, as its std::map has them.
                let s = v.bytes();
                let colon = s.iter().position(|&c| c == b':').ok_or(Error::EINVAL)?;
                let (name, value) = (&s[..colon], &s[colon + 1..]);
                if s.len() == 4 || colon == 0 || value.is_empty() || !name.starts_with(b"X-") || name.len() > 255 {
                    return Err(Error::EINVAL);
                }
                let name = String::from_utf8(name.to_vec()).map_err(|_| Error::EINVAL)?;
                if let Err(at) = self.app_metadata.binary_search_by(|(n, _)| n.as_str().cmp(&name)) {
                    self.app_metadata.insert(at, (name, value.to_vec()));
                }
            }
            ZMQ_HELLO_MSG => {
                self.hello_msg = if v.bytes().is_empty() { None } else { Some(v.bytes().to_vec()) }
            }
            ZMQ_DISCONNECT_MSG => {
                self.disconnect_msg = if v.bytes().is_empty() { None } else { Some(v.bytes().to_vec()) }
            }
            ZMQ_PRIORITY => self.priority = v.int_where(|x| x >= 0)?,
            _ => return Err(Error::EINVAL),
        }
        Ok(())
    }

    /// Reads a generic option. EINVAL for unknown options and bad buffers.
    pub fn get(&self, opt: i32, out: &mut OptOut<'_>) -> Result<()> {
        match opt {
            ZMQ_SNDHWM => out.int(self.sndhwm),
            ZMQ_RCVHWM => out.int(self.rcvhwm),
            ZMQ_AFFINITY => out.u64(self.affinity),
            ZMQ_ROUTING_ID => out.binary(&self.routing_id),
            ZMQ_RATE => out.int(self.rate),
            ZMQ_RECOVERY_IVL => out.int(self.recovery_ivl),
            ZMQ_SNDBUF => out.int(self.sndbuf),
            ZMQ_RCVBUF => out.int(self.rcvbuf),
            ZMQ_TOS => out.int(self.tos),
            ZMQ_TYPE => out.int(self.socket_type.as_c()),
            ZMQ_LINGER => out.int(self.linger),
            ZMQ_CONNECT_TIMEOUT => out.int(self.connect_timeout),
            ZMQ_TCP_MAXRT => out.int(self.tcp_maxrt),
            ZMQ_RECONNECT_STOP => out.int(self.reconnect_stop),
            ZMQ_RECONNECT_IVL => out.int(self.reconnect_ivl),
            ZMQ_RECONNECT_IVL_MAX => out.int(self.reconnect_ivl_max),
            ZMQ_BACKLOG => out.int(self.backlog),
            ZMQ_MAXMSGSIZE => out.i64(self.maxmsgsize),
            ZMQ_MULTICAST_HOPS => out.int(self.multicast_hops),
            ZMQ_MULTICAST_MAXTPDU => out.int(self.multicast_maxtpdu),
            ZMQ_RCVTIMEO => out.int(self.rcvtimeo),
            ZMQ_SNDTIMEO => out.int(self.sndtimeo),
            ZMQ_IPV4ONLY => out.int(i32::from(!self.ipv6)),
            ZMQ_IPV6 => out.int(i32::from(self.ipv6)),
            ZMQ_IMMEDIATE => out.int(i32::from(self.immediate)),
            ZMQ_SOCKS_PROXY => out.string(&self.socks_proxy),
            ZMQ_SOCKS_USERNAME => out.string(&self.socks_username),
            ZMQ_SOCKS_PASSWORD => out.string(&self.socks_password),
            ZMQ_TCP_KEEPALIVE => out.int(self.tcp_keepalive),
            ZMQ_TCP_KEEPALIVE_CNT => out.int(self.tcp_keepalive_cnt),
            ZMQ_TCP_KEEPALIVE_IDLE => out.int(self.tcp_keepalive_idle),
            ZMQ_TCP_KEEPALIVE_INTVL => out.int(self.tcp_keepalive_intvl),
            ZMQ_MECHANISM => out.int(self.mechanism),
            ZMQ_PLAIN_SERVER => out.int(i32::from(self.as_server && self.mechanism == ZMQ_PLAIN)),
            ZMQ_PLAIN_USERNAME => out.string(&self.plain_username),
            ZMQ_PLAIN_PASSWORD => out.string(&self.plain_password),
            ZMQ_CURVE_SERVER => out.int(i32::from(self.as_server && self.mechanism == ZMQ_CURVE)),
            ZMQ_CURVE_PUBLICKEY => out.curve_key(&self.curve_public_key),
            ZMQ_CURVE_SECRETKEY => out.curve_key(&self.curve_secret_key),
            ZMQ_CURVE_SERVERKEY => out.curve_key(&self.curve_server_key),
            ZMQ_CONFLATE => out.int(i32::from(self.conflate)),
            ZMQ_ZAP_DOMAIN => out.string(&self.zap_domain),
            ZMQ_ZAP_ENFORCE_DOMAIN => out.int(i32::from(self.zap_enforce_domain)),
            ZMQ_HANDSHAKE_IVL => out.int(self.handshake_ivl),
            ZMQ_HEARTBEAT_IVL => out.int(self.heartbeat_ivl),
            ZMQ_HEARTBEAT_TTL => out.int(i32::from(self.heartbeat_ttl) * 100),
            ZMQ_HEARTBEAT_TIMEOUT => out.int(self.heartbeat_timeout),
            ZMQ_USE_FD => out.int(self.use_fd),
            ZMQ_BINDTODEVICE => out.string(&self.bound_device),
            ZMQ_LOOPBACK_FASTPATH => out.int(i32::from(self.loopback_fastpath)),
            ZMQ_MULTICAST_LOOP => out.int(i32::from(self.multicast_loop)),
            // Readable on every type (0 unless a ROUTER set it).
            ZMQ_ROUTER_NOTIFY => out.int(self.router_notify),
            ZMQ_IN_BATCH_SIZE => out.int(self.in_batch_size),
            ZMQ_OUT_BATCH_SIZE => out.int(self.out_batch_size),
            ZMQ_INVERT_MATCHING => out.int(i32::from(self.invert_matching)),
            ZMQ_PRIORITY => out.int(self.priority),
            _ => Err(Error::EINVAL),
        }
    }
}

/// Whether an accept filter is an IPv4/IPv6 address with an optional /mask.
#[cfg(test)]
mod tests {
    use super::*;

    fn set_int(o: &mut Options, opt: i32, v: i32) -> Result<()> {
        o.set(opt, OptIn(&v.to_ne_bytes()))
    }

    #[test]
    fn int_options_need_exact_size_and_range() {
        let mut o = Options::new(SocketType::Pair);
        assert_eq!(o.set(ZMQ_SNDHWM, OptIn(&[1, 0])), Err(Error::EINVAL));
        assert_eq!(set_int(&mut o, ZMQ_SNDHWM, -1), Err(Error::EINVAL));
        set_int(&mut o, ZMQ_SNDHWM, 5).unwrap();
        let mut buf = [0u8; 4];
        let mut len = 4;
        o.get(ZMQ_SNDHWM, &mut OptOut { buf: &mut buf, len: &mut len }).unwrap();
        assert_eq!(i32::from_ne_bytes(buf), 5);
        let mut big = [0u8; 8];
        let mut len = 8;
        assert!(o.get(ZMQ_SNDHWM, &mut OptOut { buf: &mut big, len: &mut len }).is_err());
    }

    #[test]
    fn routing_id_bounds() {
        let mut o = Options::new(SocketType::Pair);
        assert!(o.set(ZMQ_ROUTING_ID, OptIn(b"")).is_err());
        assert!(o.set(ZMQ_ROUTING_ID, OptIn(&[1u8; 256])).is_err());
        o.set(ZMQ_ROUTING_ID, OptIn(b"\0abc")).unwrap();
        assert_eq!(o.routing_id, b"\0abc");
    }

    #[test]
    fn string_get_needs_room_for_nul() {
        let mut o = Options::new(SocketType::Pair);
        o.set(ZMQ_ZAP_DOMAIN, OptIn(b"global")).unwrap();
        let mut buf = [0u8; 6];
        let mut len = 6;
        assert!(o.get(ZMQ_ZAP_DOMAIN, &mut OptOut { buf: &mut buf, len: &mut len }).is_err());
        let mut buf = [0u8; 7];
        let mut len = 7;
        o.get(ZMQ_ZAP_DOMAIN, &mut OptOut { buf: &mut buf, len: &mut len }).unwrap();
        assert_eq!(&buf, b"global\0");
    }

    #[test]
    fn heartbeat_ttl_in_deciseconds() {
        let mut o = Options::new(SocketType::Pair);
        set_int(&mut o, ZMQ_HEARTBEAT_TTL, 5000).unwrap();
        assert_eq!(o.heartbeat_ttl, 50);
        assert!(set_int(&mut o, ZMQ_HEARTBEAT_TTL, 6_553_600).is_err());
    }

    /// As libzmq 4.3.4's options.cpp and socket_base.cpp (found by the
    /// sockopt fuzz target against Debian's libzmq).
    #[test]
    fn rules_found_by_fuzzing_against_libzmq() {
        let mut o = Options::new(SocketType::Dealer);
        assert_eq!(o.set(ZMQ_ZAP_DOMAIN, OptIn(b"")), Err(Error::EINVAL));
        set_int(&mut o, ZMQ_HEARTBEAT_TTL, -99).unwrap();
        assert_eq!(o.heartbeat_ttl, 0);
        assert!(set_int(&mut o, ZMQ_HEARTBEAT_TTL, -100).is_err());
        set_int(&mut o, ZMQ_HEARTBEAT_TTL, 6_553_599).unwrap();
        // ZMQ_CONNECT_ROUTING_ID per socket type: socket::types::tests.
        // Z85 key text is read up to a NUL and decoded in place.
        let mut k = Options::new(SocketType::Dealer);
        k.set(ZMQ_CURVE_SECRETKEY, OptIn(&[7u8; 32])).unwrap();
        let mut text = [0u8; 40];
        text[..10].copy_from_slice(b"HelloWorld");
        k.set(ZMQ_CURVE_SECRETKEY, OptIn(&text)).unwrap();
        assert_eq!(k.curve_secret_key[..8], [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]);
        assert_eq!(k.curve_secret_key[8..], [7u8; 24]);
        k.set(ZMQ_CURVE_SECRETKEY, OptIn(&[7u8; 32])).unwrap();
        let mut bad = [b'x'; 40];
        bad[..5].copy_from_slice(b"Hello");
        bad[5] = b'~';
        assert_eq!(k.set(ZMQ_CURVE_SECRETKEY, OptIn(&bad)), Err(Error::EINVAL));
        assert_eq!(k.curve_secret_key[..4], [0x86, 0x4F, 0xD2, 0x6F], "the group before the bad one is written");
        assert_eq!(k.curve_secret_key[4..], [7u8; 28]);
    }

    #[test]
    fn accept_filters() {
        let mut o = Options::new(SocketType::Pair);
        for ok in [&b"127.0.0.1"[..], b"10.0.0.0/8", b"13", b"10.1/8x", b"127/07\xd6", b"1.2.3.4\0junk"] {
            o.set(ZMQ_TCP_ACCEPT_FILTER, OptIn(ok)).unwrap_or_else(|e| panic!("{ok:?}: {e:?}"));
        }
        assert_eq!(o.tcp_accept_filters.last().map(Vec::as_slice), Some(&b"1.2.3.4"[..]));
        for bad in [&b"10.0.0.0/33"[..], b"localhost", b"::1/128", b"\0", b"10.0.0.0/", b"1.2.3.\xd6"] {
            assert_eq!(o.set(ZMQ_TCP_ACCEPT_FILTER, OptIn(bad)), Err(Error::EINVAL), "{bad:?}");
        }
        o.ipv6 = true;
        o.set(ZMQ_TCP_ACCEPT_FILTER, OptIn(b"::1/128")).unwrap();
        o.set(ZMQ_TCP_ACCEPT_FILTER, OptIn(b"")).unwrap();
        assert!(o.tcp_accept_filters.is_empty());
    }
}
