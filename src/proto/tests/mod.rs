//! Cross-module tests: sessions wired back to back with virtual time,
//! simulated legacy peers, byte-exact captures, hostile input.

mod bad_input;
mod harness;
mod heartbeats;
mod pairs;
mod wire_bytes;
