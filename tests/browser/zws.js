'use strict';
// ZWS 2.0 as libzmq 4.3.4 speaks it, over the browser's own WebSocket: each
// ZMTP frame is one binary WebSocket message whose first octet carries the
// flags (1 MORE, 2 COMMAND) and the rest the body. The browser does the
// masking, the length forms and the ping/pong replies itself: that is what
// this test is about.
//
// The subprotocol is the bare "ZWS2.0", the one libzmq offers alongside
// "ZWS2.0/NULL" and accepts from a peer when its socket's mechanism is
// NULL: no greeting and no handshake, each side's first message is its
// routing id. A browser cannot offer "ZWS2.0/NULL" at all: '/' is not
// allowed in a subprotocol name (RFC 6455 4.1 and RFC 2616's token), and
// Chromium's WebSocket constructor throws a SyntaxError for it.

const ZWS = (() => {
  const MORE = 0x01;
  const COMMAND = 0x02;
  const utf8 = new TextEncoder();

  function concat(chunks) {
    let n = 0;
    for (const c of chunks) n += c.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  function bytes(x) {
    return typeof x === 'string' ? utf8.encode(x) : x;
  }

  // A WebSocket message holding one ZMTP frame.
  function frame(flags, body) {
    return concat([Uint8Array.of(flags), bytes(body)]);
  }

  function hex(b) {
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
  }

  // Collects frames into messages; push() returns the finished message
  // (an array of Uint8Array parts) or null while MORE is set.
  class Assembler {
    constructor() {
      this.parts = [];
    }
    push(body, flags) {
      this.parts.push(body);
      if (flags & MORE) return null;
      const done = this.parts;
      this.parts = [];
      return done;
    }
  }

  // Sends one message: every part but the last with MORE.
  function send(ws, parts) {
    parts.forEach((p, i) => ws.send(frame(i + 1 < parts.length ? MORE : 0, p)));
  }

  return { MORE, COMMAND, frame, Assembler, send, hex, bytes };
})();
