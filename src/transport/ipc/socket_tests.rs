//! Real unix sockets. The file-system rules were checked against Debian's
//! libzmq 4.3.4 (python3-zmq): a named socket file survives unbind/close
//! and is unlinked by the next bind; a wildcard's directory is removed on
//! close; `@` is EINVAL; 108 octets is ENAMETOOLONG; a missing directory
//! is ENOENT; `Peer-Address` is `localhost:uid:gid:pid`.

use super::*;
use crate::transport::connect_result;
use crate::transport::peer::{peer_address_text, socket_name, End};
use std::path::Path;

/// A fresh directory for one test, removed when dropped.
struct TestDir(PathBuf);

impl TestDir {
    fn new(name: &str) -> TestDir {
        let d = PathBuf::from(format!(
            "/tmp/zmq-rs-transport-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TestDir(d)
    }

    fn path(&self, file: &str) -> String {
        format!("{}/{file}", self.0.display())
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ids() -> (u32, u32) {
    // SAFETY: getuid/getgid cannot fail.
    unsafe { (libc::getuid(), libc::getgid()) }
}

/// Connects to `addr` and accepts; `None` if the listener's filters refused.
fn connect_pair(l: &IpcListener, o: &IpcConfig) -> (Socket, Option<Socket>) {
    let c =
        ipc_connect_start(&IpcAddress::resolve(&l.endpoint()["ipc://".len()..]).unwrap()).unwrap();
    assert!(!c.in_progress);
    connect_result(&c.socket).unwrap();
    for _ in 0..500 {
        match l.accept(o) {
            Ok(s) => return (c.socket, s),
            Err(e) if e == Error::EAGAIN => std::thread::sleep(std::time::Duration::from_millis(2)),
            Err(e) => panic!("{e:?}"),
        }
    }
    panic!("nothing to accept");
}

#[test]
fn named_socket_file_outlives_the_listener() {
    let d = TestDir::new("named");
    let path = d.path("sock");
    let o = IpcConfig::default();
    let l = IpcListener::bind(&path, &o).unwrap();
    assert_eq!(l.endpoint(), format!("ipc://{path}"));
    assert!(Path::new(&path).exists());
    assert_eq!(l.accept(&o).unwrap_err(), Error::EAGAIN);
    let (c, s) = connect_pair(&l, &o);
    let s = s.unwrap();
    let (uid, gid) = ids();
    assert_eq!(
        peer_address_text(&s).unwrap(),
        format!("localhost:{uid}:{gid}:{}", std::process::id())
    );
    assert_eq!(socket_name(&s, End::Local), l.endpoint());
    assert_eq!(socket_name(&c, End::Remote), l.endpoint());
    assert!(s.nonblocking().unwrap());
    l.close().unwrap();
    assert!(Path::new(&path).exists());
    // Nobody listens: refused. The next bind removes the stale file.
    let addr = IpcAddress::resolve(&path).unwrap();
    assert_eq!(ipc_connect_start(&addr).unwrap_err(), Error::ECONNREFUSED);
    let l = IpcListener::bind(&path, &o).unwrap();
    drop(l);
    assert!(Path::new(&path).exists());
}

#[test]
fn abstract_names() {
    let name = format!("@zmq-rs-transport-{}", std::process::id());
    let o = IpcConfig::default();
    let l = IpcListener::bind(&name, &o).unwrap();
    assert_eq!(l.endpoint(), format!("ipc://{name}"));
    assert_eq!(IpcListener::bind(&name, &o).unwrap_err(), Error::EADDRINUSE);
    let (c, s) = connect_pair(&l, &o);
    assert_eq!(socket_name(&s.unwrap(), End::Local), l.endpoint());
    assert_eq!(socket_name(&c, End::Remote), l.endpoint());
    drop(l);
    let addr = IpcAddress::resolve(&name).unwrap();
    assert_eq!(ipc_connect_start(&addr).unwrap_err(), Error::ECONNREFUSED);
}

#[test]
fn wildcard_directory_is_removed_on_close() {
    let d = TestDir::new("wild");
    let base = format!("{}/", d.0.display());
    let o = IpcConfig::default();
    let l = IpcListener::bind_in("*", &o, Some(base.as_bytes())).unwrap();
    let file = l.endpoint()["ipc://".len()..].to_string();
    assert!(
        file.starts_with(&format!("{base}tmp")) && file.ends_with("/socket"),
        "{file}"
    );
    assert!(Path::new(&file).exists());
    let (_c, s) = connect_pair(&l, &o);
    assert!(s.is_some());
    let dir = Path::new(&file).parent().unwrap().to_path_buf();
    l.close().unwrap();
    assert!(!dir.exists());
    // Dropping cleans up too, and `*anything` is a wildcard as well.
    let l = IpcListener::bind_in("*foo", &o, Some(base.as_bytes())).unwrap();
    let dir = Path::new(&l.endpoint()["ipc://".len()..])
        .parent()
        .unwrap()
        .to_path_buf();
    assert!(dir.exists());
    drop(l);
    assert!(!dir.exists());
    // A wildcard bind that fails leaves no directory behind.
    let long_base = format!("{base}{}/", "d".repeat(100));
    std::fs::create_dir_all(&long_base).unwrap();
    let e = IpcListener::bind_in("*", &o, Some(long_base.as_bytes())).unwrap_err();
    assert_eq!(e, Error(libc::ENAMETOOLONG));
    assert_eq!(std::fs::read_dir(&long_base).unwrap().count(), 0);
}

#[test]
fn bind_errors() {
    let o = IpcConfig::default();
    assert_eq!(IpcListener::bind("@", &o).unwrap_err(), Error::EINVAL);
    assert_eq!(
        IpcListener::bind(&"a".repeat(108), &o).unwrap_err(),
        Error(libc::ENAMETOOLONG)
    );
    assert_eq!(
        IpcListener::bind("/nonexistent-dir-zmq-rs/x", &o).unwrap_err(),
        Error::ENOENT
    );
    let missing = IpcAddress::resolve("/nonexistent-dir-zmq-rs/x").unwrap();
    assert_eq!(ipc_connect_start(&missing).unwrap_err(), Error::ENOENT);
}

#[test]
fn credential_filters() {
    let d = TestDir::new("filters");
    let (uid, gid) = ids();
    let pid = std::process::id() as i32;
    let base = IpcConfig::default();
    let l = IpcListener::bind(&d.path("sock"), &base).unwrap();
    let with = |f: &dyn Fn(&mut IpcConfig)| {
        let mut o = base.clone();
        f(&mut o);
        o
    };
    let cases: Vec<(IpcConfig, bool)> = vec![
        (base.clone(), true),
        (with(&|o| o.uid_filters = vec![uid]), true),
        (with(&|o| o.uid_filters = vec![uid + 4242]), false),
        (with(&|o| o.gid_filters = vec![gid]), true),
        (with(&|o| o.gid_filters = vec![0x7fff_fff0]), false),
        (with(&|o| o.pid_filters = vec![pid]), true),
        (with(&|o| o.pid_filters = vec![pid + 1]), false),
        (
            with(&|o| {
                o.pid_filters = vec![pid + 1];
                o.uid_filters = vec![uid];
            }),
            true,
        ),
    ];
    for (i, (o, allowed)) in cases.iter().enumerate() {
        let (_c, s) = connect_pair(&l, o);
        assert_eq!(s.is_some(), *allowed, "case {i}");
    }
}
