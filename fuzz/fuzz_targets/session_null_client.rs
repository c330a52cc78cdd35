#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq_fuzz::session_null_client(data));
