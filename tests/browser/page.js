'use strict';
// The browser's side of tests/browser/run: a peer with routing id
// "browser" speaking ZWS 2.0 (bare: see zws.js) to the ROUTER of server.c,
// whose routing id is "zmq-router". It sends its routing id and UP at once,
// expects the server's routing id first, then each message of UP echoed
// back and then DOWN, byte for byte, and reports ["RESULT", "ok"] or
// ["RESULT", "fail", why] over ZMTP, which is what the runner goes by.
// server.c holds the same UP and DOWN and checks what it receives against
// UP independently.

// Octet i of a generated body: not periodic in 256, so a misplaced or
// repeated chunk shows.
function pattern(n, seed) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed * 13 + (i >>> 8)) & 0xff;
  return b;
}

// What the page sends, each echoed back. A WebSocket payload is the flags
// octet plus the body, so bodies of 124 and 125 octets straddle the
// 7-bit/16-bit length forms, and 65534 and 65535 the 16-bit/64-bit ones.
//
// Nothing bigger goes this way, and the whole stays well under 256 KiB:
// Chromium fragments a message that does not fit in one read of its send
// pipe (a ring of 262000 octets in Chromium 156: a 200000-octet message
// after 131344 octets went out as frames of 130656 and 69345 octets), and
// libzmq 4.3.4 takes no fragments: its decoder refuses a frame without FIN
// (and then stops reading the connection without closing it; ours closes
// it). That is ZWS 2.0's limit with browsers, not this test's.
const UP = [
  ['hello', '', 'world'],
  [''],
  [pattern(124, 1)],
  [pattern(125, 2)],
  [pattern(65534, 3)],
  [pattern(65535, 4)],
].map((m) => m.map(ZWS.bytes));

// What the server sends after the echoes: 64-bit lengths well past 64 KiB,
// in a multipart message too.
const DOWN = [
  [pattern(200000, 5)],
  [pattern(1 << 20, 6), pattern(70000, 7), 'end'],
].map((m) => m.map(ZWS.bytes));

const EXPECTED = UP.concat(DOWN);

const ROUTING_ID = 'browser';
const SERVER_ROUTING_ID = 'zmq-router';

let ws = null;
let state = 'connecting'; // then 'routing-id', 'exchange', 'done', 'failed'
let routingIdSent = false;
let received = 0;
const assembler = new ZWS.Assembler();

function say(level, msg) {
  console[level]('zws-page: ' + msg);
  document.getElementById('status').textContent = msg;
}

function fail(why) {
  if (state === 'done' || state === 'failed') return;
  state = 'failed';
  document.title = 'FAIL';
  say('error', 'FAIL: ' + why);
  if (ws && routingIdSent && ws.readyState === WebSocket.OPEN) ZWS.send(ws, ['RESULT', 'fail', why].map(ZWS.bytes));
}

function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function describe(msg) {
  return '[' + msg.map((p) => p.length + ' octets').join(', ') + ']';
}

function checkIncoming(msg) {
  const want = EXPECTED[received];
  const what = received < UP.length ? 'echo of UP[' + received + ']' : 'DOWN[' + (received - UP.length) + ']';
  if (want === undefined) return fail('an extra message ' + describe(msg));
  if (msg.length !== want.length) return fail(what + ': ' + msg.length + ' parts, expected ' + want.length);
  for (let i = 0; i < want.length; i++) {
    if (!same(msg[i], want[i])) {
      return fail(what + ' part ' + i + ' differs: ' + describe(msg) + ', first octets ' + ZWS.hex(msg[i].subarray(0, 8)));
    }
  }
  received += 1;
  if (received === EXPECTED.length) {
    ZWS.send(ws, ['RESULT', 'ok'].map(ZWS.bytes));
    state = 'done';
    document.title = 'PASS';
    say('log', 'PASS: ' + UP.length + ' messages echoed, ' + DOWN.length + ' received');
  }
}

function onFrame(data) {
  if (typeof data === 'string') return fail('a text message');
  const u8 = new Uint8Array(data);
  if (u8.length === 0) return fail('an empty binary message (no flags octet)');
  const flags = u8[0];
  const body = u8.subarray(1);
  if (state === 'routing-id') {
    // libzmq sends its socket's ZMQ_ROUTING_ID as a plain one-part message.
    if (flags !== 0) return fail('first frame has flags ' + flags + ', expected a routing id');
    if (!same(body, ZWS.bytes(SERVER_ROUTING_ID))) return fail('server routing id ' + ZWS.hex(body.subarray(0, 16)));
    state = 'exchange';
    say('log', 'got the server routing id');
    return;
  }
  if (state !== 'exchange') return;
  if (flags & ZWS.COMMAND) return fail('a command: ' + ZWS.hex(body.subarray(0, 16)));
  const msg = assembler.push(body, flags);
  if (msg) checkIncoming(msg);
}

function start() {
  const url = new URLSearchParams(location.search).get('ws');
  if (!url) return fail('no ?ws= in the page URL');
  say('log', 'connecting to ' + url);
  ws = new WebSocket(url, ['ZWS2.0']);
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    // libzmq answers the protocol it picked and negotiates no extension.
    if (ws.protocol !== 'ZWS2.0') return fail('server chose protocol "' + ws.protocol + '"');
    if (ws.extensions !== '') return fail('server negotiated extensions "' + ws.extensions + '"');
    state = 'routing-id';
    ws.send(ZWS.frame(0, ROUTING_ID));
    routingIdSent = true;
    say('log', 'connected; sending ' + UP.length + ' messages');
    for (const m of UP) ZWS.send(ws, m);
  };
  ws.onmessage = (ev) => {
    try {
      onFrame(ev.data);
    } catch (e) {
      fail('exception: ' + e.message);
    }
  };
  ws.onerror = () => say('error', 'WebSocket error event in state ' + state);
  ws.onclose = (ev) => {
    if (state !== 'done') fail('closed in state ' + state + ' (code ' + ev.code + ' "' + ev.reason + '")');
  };
}

window.onerror = (msg) => fail('script error: ' + msg);
start();
