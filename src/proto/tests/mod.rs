//! Cross-module tests: sessions wired back to back with virtual time,
//! simulated legacy peers, byte-exact captures, hostile input.

mod bad_input;
mod curve_bad_input;
mod curve_pairs;
mod groups;
mod handshake_bound;
mod harness;
mod heartbeats;
mod pairs;
mod plain;
mod wire_bytes;
mod ws_pairs;
