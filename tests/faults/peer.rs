//! The test's side of a peer process: spawning it, its line protocol, and
//! what /proc says about it (descriptors, memory, threads).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Every wait on a peer gives up after this: a hang guard, not a criterion.
pub const GUARD: Duration = Duration::from_secs(30);

pub struct Peer {
    name: String,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

pub type Status = HashMap<String, u64>;

impl Peer {
    /// Runs this binary as `--peer ROLE ARGS...`.
    pub fn spawn(role: &str, args: &[String]) -> Peer {
        let exe = std::env::current_exe().unwrap();
        let mut child = Command::new(exe)
            .arg("--peer")
            .arg(role)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn a peer");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Peer {
            name: format!("{role} (pid {})", child.id()),
            child,
            stdin,
            lines,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line starting with `prefix`, without it.
    pub fn line(&mut self, prefix: &str) -> String {
        match self.lines.recv_timeout(GUARD) {
            Ok(l) => match l.strip_prefix(prefix) {
                Some(rest) => rest.trim().to_string(),
                None => panic!("{}: said {l:?}, expected {prefix}...", self.name),
            },
            Err(RecvTimeoutError::Timeout) => {
                panic!("{}: said no {prefix}... within {GUARD:?}", self.name)
            }
            Err(RecvTimeoutError::Disconnected) => {
                let st = self.child.wait();
                panic!("{}: exited ({st:?}) before saying {prefix}", self.name)
            }
        }
    }

    pub fn tell(&mut self, line: &str) {
        writeln!(self.stdin, "{line}")
            .and_then(|_| self.stdin.flush())
            .unwrap_or_else(|e| panic!("{}: {e}", self.name));
    }

    pub fn ask(&mut self, line: &str, answer: &str) -> String {
        self.tell(line);
        self.line(answer)
    }

    pub fn endpoint(&mut self) -> String {
        self.line("ENDPOINT ")
    }

    pub fn status(&mut self) -> Status {
        parse_status(&self.ask("status", "STATUS "))
    }

    /// Asks for the status until `pred` holds; panics after the hang guard.
    pub fn wait_status(&mut self, what: &str, pred: impl Fn(&Status) -> bool) -> Status {
        let deadline = Instant::now() + GUARD;
        loop {
            let st = self.status();
            if pred(&st) {
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "{}: still waiting for {what} after {GUARD:?}; {st:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Open descriptors, from /proc.
    pub fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|d| d.count())
            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// A field of /proc/PID/status, as a number (VmRSS is in KiB).
    pub fn proc_status(&self, field: &str) -> u64 {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .unwrap_or_else(|| panic!("no {field}"));
        line.trim_start_matches(':')
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// Waits until the descriptors are down to `at_most` (closing ones
    /// may linger a moment); panics after the hang guard.
    pub fn wait_fds(&self, at_most: usize, what: &str) {
        let deadline = Instant::now() + GUARD;
        while self.fds() > at_most {
            assert!(
                Instant::now() < deadline,
                "{}: {} descriptors, want at most {at_most} ({what}): {}",
                self.name,
                self.fds(),
                self.fd_list()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// What each descriptor is, for a failure message.
    fn fd_list(&self) -> String {
        let dir = format!("/proc/{}/fd", self.pid());
        let mut v: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| {
                        format!(
                            "{}->{}",
                            e.file_name().to_string_lossy(),
                            std::fs::read_link(e.path())
                                .map(|p| p.display().to_string())
                                .unwrap_or_default()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v.join(" ")
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.stdin.flush();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn parse_status(s: &str) -> Status {
    s.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (
                k.to_string(),
                v.parse().unwrap_or_else(|_| panic!("status {k}={v}")),
            )
        })
        .collect()
}
