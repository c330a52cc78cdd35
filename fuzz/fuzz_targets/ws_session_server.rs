#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| zmq_fuzz::ws_session_server(data));
