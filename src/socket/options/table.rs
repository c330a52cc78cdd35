//! zmq_setsockopt/zmq_getsockopt of the generic options: one arm per
//! option, with libzmq 4.3.4's ranges and errno. The mechanism options
//! fall through to `security`.

use super::value::{string_opt, OptIn, OptOut};
use super::Options;
use crate::consts::*;
use crate::error::{Error, Result};

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
            // Empty or NULL clears the credentials (no authentication), as
            // in libzmq; ZMQ_SOCKS_PROXY refuses an empty non-NULL value
            // (NULL_CLEARS_EMPTY_INVALID, in ffi).
            ZMQ_SOCKS_USERNAME => self.socks_username = string_opt(v.bytes(), 255)?,
            ZMQ_SOCKS_PASSWORD => self.socks_password = string_opt(v.bytes(), 255)?,
            // libzmq stores the four texts as given, NULL or empty
            // included, and reads them only when a wss endpoint is made;
            // none can be read back (zmq_getsockopt: EINVAL).
            ZMQ_WSS_KEY_PEM => self.wss_key_pem = v.bytes().to_vec(),
            ZMQ_WSS_CERT_PEM => self.wss_cert_pem = v.bytes().to_vec(),
            ZMQ_WSS_TRUST_PEM => self.wss_trust_pem = v.bytes().to_vec(),
            ZMQ_WSS_HOSTNAME => self.wss_hostname = v.bytes().to_vec(),
            ZMQ_WSS_TRUST_SYSTEM => self.wss_trust_system = v.bool_strict()?,
            ZMQ_TCP_KEEPALIVE => self.tcp_keepalive = v.int_where(|x| (-1..=1).contains(&x))?,
            ZMQ_TCP_KEEPALIVE_CNT => self.tcp_keepalive_cnt = v.int_where(|x| x == -1 || x >= 0)?,
            ZMQ_TCP_KEEPALIVE_IDLE => {
                self.tcp_keepalive_idle = v.int_where(|x| x == -1 || x >= 0)?
            }
            ZMQ_TCP_KEEPALIVE_INTVL => {
                self.tcp_keepalive_intvl = v.int_where(|x| x == -1 || x >= 0)?
            }
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
                    if b.len() > 255
                        || crate::transport::tcp::accept_filter::AcceptFilter::parse(
                            &text, self.ipv6,
                        )
                        .is_err()
                    {
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
            ZMQ_CONFLATE => self.conflate = v.bool_strict()?,
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
                if s.len() == 4
                    || colon == 0
                    || value.is_empty()
                    || !name.starts_with(b"X-")
                    || name.len() > 255
                {
                    return Err(Error::EINVAL);
                }
                let name = String::from_utf8(name.to_vec()).map_err(|_| Error::EINVAL)?;
                if let Err(at) = self
                    .app_metadata
                    .binary_search_by(|(n, _)| n.as_str().cmp(&name))
                {
                    self.app_metadata.insert(at, (name, value.to_vec()));
                }
            }
            ZMQ_HELLO_MSG => {
                self.hello_msg = if v.bytes().is_empty() {
                    None
                } else {
                    Some(v.bytes().to_vec())
                }
            }
            ZMQ_DISCONNECT_MSG => {
                self.disconnect_msg = if v.bytes().is_empty() {
                    None
                } else {
                    Some(v.bytes().to_vec())
                }
            }
            ZMQ_PRIORITY => self.priority = v.int_where(|x| x >= 0)?,
            _ => return self.set_security(opt, v),
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
            ZMQ_CONFLATE => out.int(i32::from(self.conflate)),
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
            _ => self.get_security(opt, out),
        }
    }
}
