//! The context's pool of io threads.

use super::reactor::Reactor;
use super::Command;
use crate::error::{Error, Result};
use crate::mailbox::Mailbox;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

pub struct IoThread {
    mailbox: Arc<Mailbox<Command>>,
    join: Mutex<Option<JoinHandle<()>>>,
}

impl IoThread {
    fn spawn(name: String) -> Result<Arc<IoThread>> {
        let mailbox = Arc::new(Mailbox::new()?);
        let mut reactor = Reactor::new(mailbox.clone())
            .map_err(|e| Error(e.raw_os_error().unwrap_or(libc::ENOMEM)))?;
        let join = std::thread::Builder::new()
            .name(name)
            .spawn(move || {
                crate::util::thread::block_all_signals();
                reactor.run();
            })
            .map_err(|_| Error::EMTHREAD)?;
        Ok(Arc::new(IoThread {
            mailbox,
            join: Mutex::new(Some(join)),
        }))
    }

    /// Runs `f` on this thread, with its reactor.
    pub fn run(&self, f: impl FnOnce(&mut Reactor) + Send + 'static) {
        self.mailbox.send(Command::Run(Box::new(f)));
    }

    /// The thread's mailbox, owner of the pipe ends its handlers hold.
    pub fn mailbox(&self) -> &Arc<Mailbox<Command>> {
        &self.mailbox
    }
}

/// ZMQ_IO_THREADS threads, started together on first use.
pub(crate) struct IoThreads {
    threads: Vec<Arc<IoThread>>,
    next: AtomicUsize,
}

impl IoThreads {
    /// Starts `n` threads (none for 0: tcp and ipc then fail with EMTHREAD).
    pub(crate) fn start(n: usize, name_prefix: &str) -> Result<IoThreads> {
        let mut threads = Vec::with_capacity(n);
        for i in 0..n {
            let name = if name_prefix.is_empty() {
                format!("ZMQbg/IO/{i}")
            } else {
                format!("{name_prefix}/ZMQbg/IO/{i}")
            };
            match IoThread::spawn(name) {
                Ok(t) => threads.push(t),
                Err(e) => {
                    let started = IoThreads {
                        threads,
                        next: AtomicUsize::new(0),
                    };
                    started.stop_and_join();
                    return Err(e);
                }
            }
        }
        Ok(IoThreads {
            threads,
            next: AtomicUsize::new(0),
        })
    }

    /// The thread for a new endpoint, in turn; EMTHREAD with none.
    pub(crate) fn choose(&self) -> Result<Arc<IoThread>> {
        if self.threads.is_empty() {
            return Err(Error::EMTHREAD);
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.threads.len();
        Ok(self.threads[i].clone())
    }

    /// Tells every thread to stop (its handlers wind down, honouring
    /// linger) and waits for them.
    pub(crate) fn stop_and_join(&self) {
        for t in &self.threads {
            t.mailbox.send(Command::Stop);
        }
        for t in &self.threads {
            if let Some(j) = t.join.lock().take() {
                let _ = j.join();
            }
        }
    }
}
