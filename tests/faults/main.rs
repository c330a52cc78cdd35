//! Faults between processes: two peer processes on our library talk
//! through a fault-injecting tcp proxy (`proxy.rs`) that the test steers:
//! delay, trickle, cuts both ways, and a blackhole. See `cases.rs` for what
//! is checked.
//!
//! Built without libtest's harness: the same binary is the test and, run
//! as `--peer ROLE ...`, each peer process (`roles.rs`). The cases run one
//! after another (they measure processes); arguments that do not start
//! with `-` select cases by substring, as libtest's filters do.

mod cases;
mod peer;
mod proxy;
mod roles;
mod zmq;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--peer") {
        roles::run(&args[1..]);
        return;
    }
    if args.iter().any(|a| a == "--list") {
        for (name, _) in cases::ALL {
            println!("{name}: test");
        }
        return;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let chosen: Vec<_> = cases::ALL
        .iter()
        .filter(|(n, _)| filters.is_empty() || filters.iter().any(|f| n.contains(f.as_str())))
        .collect();
    println!("\nrunning {} tests", chosen.len());
    let mut failed = Vec::new();
    for (name, case) in chosen {
        let t = std::time::Instant::now();
        let ok = std::panic::catch_unwind(case).is_ok();
        println!(
            "test {name} ... {} ({:.1} s)",
            if ok { "ok" } else { "FAILED" },
            t.elapsed().as_secs_f64()
        );
        if !ok {
            failed.push(*name);
        }
    }
    if failed.is_empty() {
        println!("\ntest result: ok");
    } else {
        println!("\nfailures: {failed:?}\ntest result: FAILED");
        std::process::exit(1);
    }
}
