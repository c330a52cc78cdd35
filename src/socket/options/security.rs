//! The mechanism options (ZMQ_MECHANISM, PLAIN, CURVE, ZAP). As in
//! libzmq, setting one also picks the mechanism: a PLAIN credential makes
//! a PLAIN client, an empty one (or a NULL value) goes back to NULL, any
//! CURVE key makes a CURVE socket.

use super::value::{string_opt, OptIn, OptOut};
use super::Options;
use crate::consts::*;
use crate::error::{Error, Result};

impl Options {
    /// Applies a mechanism option; EINVAL for any other option and for bad
    /// values.
    pub(super) fn set_security(&mut self, opt: i32, v: OptIn<'_>) -> Result<()> {
        match opt {
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
            ZMQ_ZAP_DOMAIN => {
                // libzmq: 1..=255 octets; an empty domain cannot be set.
                if v.bytes().is_empty() {
                    return Err(Error::EINVAL);
                }
                self.zap_domain = string_opt(v.bytes(), 255)?
            }
            ZMQ_ZAP_ENFORCE_DOMAIN => self.zap_enforce_domain = v.bool_strict()?,
            _ => return Err(Error::EINVAL),
        }
        Ok(())
    }

    /// Reads a mechanism option; EINVAL for any other option and for bad
    /// buffers.
    pub(super) fn get_security(&self, opt: i32, out: &mut OptOut<'_>) -> Result<()> {
        match opt {
            ZMQ_MECHANISM => out.int(self.mechanism),
            ZMQ_PLAIN_SERVER => out.int(i32::from(self.as_server && self.mechanism == ZMQ_PLAIN)),
            ZMQ_PLAIN_USERNAME => out.string(&self.plain_username),
            ZMQ_PLAIN_PASSWORD => out.string(&self.plain_password),
            ZMQ_CURVE_SERVER => out.int(i32::from(self.as_server && self.mechanism == ZMQ_CURVE)),
            ZMQ_CURVE_PUBLICKEY => out.curve_key(&self.curve_public_key),
            ZMQ_CURVE_SECRETKEY => out.curve_key(&self.curve_secret_key),
            ZMQ_CURVE_SERVERKEY => out.curve_key(&self.curve_server_key),
            ZMQ_ZAP_DOMAIN => out.string(&self.zap_domain),
            ZMQ_ZAP_ENFORCE_DOMAIN => out.int(i32::from(self.zap_enforce_domain)),
            _ => Err(Error::EINVAL),
        }
    }
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
