#!/usr/bin/python3
"""Debian's libzmq (through pyzmq) as the far end of a capture.

    libzmq_peer.py MECH ROLE ENDPOINT [SERVER_PUBLIC SERVER_SECRET CLIENT_PUBLIC CLIENT_SECRET]

MECH is null, plain or curve; ROLE is server (a ROUTER that binds
ENDPOINT, printing the endpoint it got) or client (a DEALER that
connects to it). Keys are Z85. The peer exchanges a few messages and
exits after a quiet second; tests/capture.rs records what it sent.
"""
import sys
import threading
import zmq

mech, role, endpoint = sys.argv[1:4]
keys = sys.argv[4:8]
ctx = zmq.Context()


def zap_handler(handler):
    """Allows everyone (libzmq's PLAIN server needs a handler)."""
    while True:
        try:
            req = handler.recv_multipart()
        except zmq.ContextTerminated:
            break
        # version, request id, status, text, user id, metadata
        handler.send_multipart([b"1.0", req[1], b"200", b"OK", b"user", b""])
    handler.close()


if role == "server" and mech != "null":
    zap = ctx.socket(zmq.REP)
    zap.linger = 0
    zap.bind("inproc://zeromq.zap.01")
    threading.Thread(target=zap_handler, args=(zap,), daemon=True).start()
s = ctx.socket(zmq.ROUTER if role == "server" else zmq.DEALER)
s.linger = 1000
if role == "client":
    s.routing_id = b"libzmq-peer"
if mech == "plain":
    if role == "server":
        s.plain_server = True
    else:
        s.plain_username = b"admin"
        s.plain_password = b"password"
elif mech == "curve":
    server_public, server_secret, client_public, client_secret = (k.encode() for k in keys)
    if role == "server":
        s.curve_server = True
        s.curve_secretkey = server_secret
    else:
        s.curve_publickey = client_public
        s.curve_secretkey = client_secret
        s.curve_serverkey = server_public

if role == "server":
    s.bind(endpoint)
    print(s.last_endpoint.decode(), flush=True)
else:
    s.connect(endpoint)
    s.send_multipart([b"hello", b"world"])
    s.send(b"\x5a" * 300)

poller = zmq.Poller()
poller.register(s, zmq.POLLIN)
replied = 0
while poller.poll(1000):
    parts = s.recv_multipart()
    if role == "server" and replied < 2:
        # To whoever spoke: a two-part message and a long one.
        s.send_multipart([parts[0], b"hello", b"world"])
        s.send_multipart([parts[0], b"\x5a" * 300])
        replied += 1
s.close()
ctx.term()
