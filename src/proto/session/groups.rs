//! RADIO and DISH over ZMTP, as libzmq's radio and dish sessions map them.
//! A DISH's joins and leaves travel as commands (`\x04JOIN` or `\x05LEAVE`
//! and the group), which the RADIO's session turns back into JOIN and
//! LEAVE messages. A RADIO's message travels as two frames, the group
//! (MORE) and the body, which the DISH's session joins again. Other types
//! are untouched: `send` and the frame path check one enum tag.

use super::Session;
use crate::error::Error;
use crate::msg::{self, Msg};
use crate::proto::Failure;
use crate::types::SocketType;

/// Longest group (ZMQ_GROUP_MAX_LENGTH).
const GROUP_MAX: usize = crate::consts::ZMQ_GROUP_MAX_LENGTH as usize;

pub(super) enum Groups {
    Off,
    Radio,
    /// The group frame of the message whose body comes next.
    Dish(Option<Msg>),
}

impl Groups {
    pub(super) fn of(ty: SocketType) -> Groups {
        match ty {
            SocketType::Radio => Groups::Radio,
            SocketType::Dish => Groups::Dish(None),
            _ => Groups::Off,
        }
    }

    #[inline]
    pub(super) fn on(&self) -> bool {
        !matches!(self, Groups::Off)
    }
}

impl Session {
    /// `send` for RADIO and DISH: a message becomes its group frame and
    /// body, a join or leave its command.
    pub(super) fn send_grouped(&mut self, m: Msg) -> Result<(), Failure> {
        match self.groups {
            Groups::Radio => {
                let mut group = Msg::from_slice(m.group().unwrap_or_default());
                group.set_flags(msg::MORE);
                self.send_frame(group)?;
                self.send_frame(m)
            }
            _ if m.flags() & (msg::JOIN | msg::LEAVE) != 0 => {
                let name: &[u8] = if m.flags() & msg::JOIN != 0 {
                    b"\x04JOIN"
                } else {
                    b"\x05LEAVE"
                };
                let mut c = Msg::from_slice(&[name, m.group().unwrap_or_default()].concat());
                c.set_flags(msg::COMMAND);
                self.send_frame(c)
            }
            _ => self.send_frame(m),
        }
    }

    /// A JOIN or LEAVE command, on a RADIO's connection: the message the
    /// socket takes it as. Groups too long or not C strings are dropped
    /// (libzmq asserts on the first).
    pub(super) fn membership(&self, join: bool, group: &[u8]) -> Option<Msg> {
        if !matches!(self.groups, Groups::Radio) || group.len() > GROUP_MAX || group.contains(&0) {
            return None;
        }
        let mut m = Msg::new();
        m.set_group(Some(group));
        m.set_flags(if join { msg::JOIN } else { msg::LEAVE });
        Some(m)
    }

    /// A data frame on a DISH's connection: a group frame is kept for the
    /// body that follows, which is delivered with it. A group frame
    /// without MORE or over ZMQ_GROUP_MAX_LENGTH, or a body with MORE, is
    /// the protocol error libzmq's dish session makes of it (EFAULT).
    pub(super) fn dish_frame(&mut self, m: Msg) -> Result<Option<Msg>, Failure> {
        let Groups::Dish(pending) = &mut self.groups else {
            return Ok(Some(m));
        };
        match pending.take() {
            None => {
                if !m.more() || m.size() > GROUP_MAX {
                    return Err(Failure::protocol(Error::EFAULT));
                }
                *pending = Some(m);
                Ok(None)
            }
            Some(group) => {
                if m.more() {
                    return Err(Failure::protocol(Error::EFAULT));
                }
                let mut body = m;
                body.set_group(Some(group.data()));
                Ok(Some(body))
            }
        }
    }
}
