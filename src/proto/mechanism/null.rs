//! NULL as libzmq does it: symmetric, both sides send READY straight after
//! the greeting; with a ZAP domain each side first asks its ZAP handler.

use super::zap::{self, ZapRequest, ZapVerdict};
use super::{Mechanism, MechanismOptions, PeerInfo, Status};
use crate::error::Error;
use crate::msg::Msg;
use crate::proto::{code, command, metadata, Failure};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Zap {
    /// No ZAP domain, no handler, or the handler said 200.
    Passed,
    /// A request must be produced.
    Needed,
    /// The request is out; waiting for the verdict.
    Waiting,
}

pub struct NullMechanism {
    opts: MechanismOptions,
    peer: PeerInfo,
    zap: Zap,
    request: Option<ZapRequest>,
    ready_sent: bool,
    ready_received: bool,
    /// A refusal: the ERROR to send (none for 300) and the failure after it.
    refused: Option<(Option<Msg>, Failure)>,
}

impl NullMechanism {
    pub fn new(opts: MechanismOptions) -> NullMechanism {
        let zap = if opts.zap_domain.is_empty() {
            Zap::Passed
        } else {
            Zap::Needed
        };
        NullMechanism {
            opts,
            peer: PeerInfo::default(),
            zap,
            request: None,
            ready_sent: false,
            ready_received: false,
            refused: None,
        }
    }
}

impl Mechanism for NullMechanism {
    fn next_handshake_command(&mut self) -> Result<Option<Msg>, Failure> {
        if let Some((error, _)) = &mut self.refused {
            return Ok(error.take());
        }
        if self.ready_sent {
            return Ok(None);
        }
        match self.zap {
            Zap::Needed => {
                self.request = Some(ZapRequest {
                    domain: self.opts.zap_domain.clone(),
                    address: self.opts.peer_address.clone(),
                    routing_id: self.opts.routing_id.clone(),
                    mechanism: b"NULL",
                    credentials: Vec::new(),
                });
                self.zap = Zap::Waiting;
                Ok(None)
            }
            Zap::Waiting => Ok(None),
            Zap::Passed => {
                let mut props = Vec::new();
                metadata::basic_properties(
                    &mut props,
                    self.opts.socket_type,
                    &self.opts.routing_id,
                    &self.opts.app_metadata,
                );
                self.ready_sent = true;
                Ok(Some(command::ready(&props)))
            }
        }
    }

    fn process_handshake_command(&mut self, frame: Msg) -> Result<(), Failure> {
        if self.ready_received {
            return Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND));
        }
        let data = frame.data();
        if let Some(props) = data.strip_prefix(command::READY) {
            self.ready_received = true;
            // libzmq reports neither bad metadata nor a socket-type mismatch
            // in detail here: the peer sees our READY, then a close.
            return self
                .peer
                .apply_properties(props, &self.opts, false)
                .map_err(Failure::protocol);
        }
        if let Some(rest) = data.strip_prefix(command::ERROR) {
            let reason = command::error_reason(rest).map_err(Failure::protocol_code)?;
            return Err(match command::zap_status_of(reason) {
                Some(status) => Failure::auth(status),
                None => Failure::protocol(Error::EPROTO),
            });
        }
        Err(Failure::protocol_code(code::ZMTP_UNEXPECTED_COMMAND))
    }

    fn status(&self) -> Status {
        if let Some((None, f)) = &self.refused {
            return Status::Failed(*f);
        }
        if self.ready_sent && self.ready_received {
            Status::Ready
        } else {
            Status::Handshaking
        }
    }

    fn peer(&self) -> &PeerInfo {
        &self.peer
    }

    fn take_zap_request(&mut self) -> Option<ZapRequest> {
        self.request.take()
    }

    fn on_zap_reply(&mut self, verdict: ZapVerdict) -> Result<(), Failure> {
        if self.zap != Zap::Waiting {
            return Err(Failure::protocol(Error::EFSM));
        }
        let frames = match verdict {
            ZapVerdict::NoHandler if self.opts.zap_enforce_domain => return Err(zap::no_handler()),
            ZapVerdict::NoHandler => {
                self.zap = Zap::Passed;
                return Ok(());
            }
            ZapVerdict::Reply(frames) => frames,
        };
        let status = zap::accept_reply(&frames, &mut self.peer, &self.opts)?;
        if status == 200 {
            self.zap = Zap::Passed;
            return Ok(());
        }
        // 300 is a temporary failure: close without an ERROR so the client retries.
        let error = (status != 300).then(|| command::error(status.to_string().as_bytes()));
        self.refused = Some((error, Failure::auth(status)));
        Ok(())
    }
}
