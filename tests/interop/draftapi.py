"""The draft API pyzmq lacks (Debian's python3-zmq is built without it):
zmq_join, zmq_leave and messages with a group (zmq_msg_set_group,
zmq_msg_group), called through ctypes on the very libzmq pyzmq loaded, with
pyzmq's socket handles (Socket.underlying). Socket types go by number."""

import ctypes
import errno
import os

from peer import loaded_libzmq

RADIO, DISH, DGRAM = 14, 15, 18
GROUP_MAX_LENGTH = 255      # ZMQ_GROUP_MAX_LENGTH


class Msg(ctypes.Structure):
    """zmq_msg_t: 64 octets, 8-aligned."""
    _fields_ = [('_', ctypes.c_uint64 * 8)]


class ZmqError(Exception):
    def __init__(self, call, err):
        super().__init__('%s: %s (errno %d)' % (call, os.strerror(err), err))
        self.errno = err


class Draft:
    def __init__(self):
        # dlopen of the path pyzmq's library was mapped from gives the same
        # handle, so the calls below act on pyzmq's sockets.
        lib = ctypes.CDLL(loaded_libzmq())
        vp, mp, cp = ctypes.c_void_p, ctypes.POINTER(Msg), ctypes.c_char_p
        for name, args, res in (
                ('zmq_join', [vp, cp], ctypes.c_int),
                ('zmq_leave', [vp, cp], ctypes.c_int),
                ('zmq_msg_init', [mp], ctypes.c_int),
                ('zmq_msg_init_size', [mp, ctypes.c_size_t], ctypes.c_int),
                ('zmq_msg_data', [mp], vp),
                ('zmq_msg_size', [mp], ctypes.c_size_t),
                ('zmq_msg_close', [mp], ctypes.c_int),
                ('zmq_msg_set_group', [mp, cp], ctypes.c_int),
                ('zmq_msg_group', [mp], cp),
                ('zmq_msg_send', [mp, vp, ctypes.c_int], ctypes.c_int),
                ('zmq_msg_recv', [mp, vp, ctypes.c_int], ctypes.c_int),
                ('zmq_errno', [], ctypes.c_int)):
            fn = getattr(lib, name)
            fn.argtypes, fn.restype = args, res
        self.lib = lib

    def _check(self, rc, call):
        if rc < 0:
            raise ZmqError(call, self.lib.zmq_errno())
        return rc

    def join(self, sock, group):
        self._check(self.lib.zmq_join(sock.underlying, group), 'zmq_join')

    def leave(self, sock, group):
        self._check(self.lib.zmq_leave(sock.underlying, group), 'zmq_leave')

    def send(self, sock, group, body, flags=0):
        """A message with `group` (None: none); raises ZmqError (with
        errno) if zmq_msg_set_group or zmq_msg_send refuse it."""
        m = Msg()
        self._check(self.lib.zmq_msg_init_size(ctypes.byref(m), len(body)), 'zmq_msg_init_size')
        try:
            if body:
                ctypes.memmove(self.lib.zmq_msg_data(ctypes.byref(m)), body, len(body))
            if group is not None:
                self._check(self.lib.zmq_msg_set_group(ctypes.byref(m), group),
                            'zmq_msg_set_group')
            self._check(self.lib.zmq_msg_send(ctypes.byref(m), sock.underlying, flags),
                        'zmq_msg_send')
        except ZmqError:
            self.lib.zmq_msg_close(ctypes.byref(m))
            raise

    def recv(self, sock, flags=0):
        """(group, body); EAGAIN (RCVTIMEO, DONTWAIT) raises ZmqError."""
        m = Msg()
        self.lib.zmq_msg_init(ctypes.byref(m))
        try:
            self._check(self.lib.zmq_msg_recv(ctypes.byref(m), sock.underlying, flags),
                        'zmq_msg_recv')
            group = self.lib.zmq_msg_group(ctypes.byref(m))
            size = self.lib.zmq_msg_size(ctypes.byref(m))
            body = ctypes.string_at(self.lib.zmq_msg_data(ctypes.byref(m)), size) if size else b''
            return group, body
        finally:
            self.lib.zmq_msg_close(ctypes.byref(m))

    def group_as_set(self, group):
        """What zmq_msg_group gives after zmq_msg_set_group(group) on an
        empty message; raises ZmqError if that refuses it."""
        m = Msg()
        self.lib.zmq_msg_init(ctypes.byref(m))
        try:
            self._check(self.lib.zmq_msg_set_group(ctypes.byref(m), group), 'zmq_msg_set_group')
            return self.lib.zmq_msg_group(ctypes.byref(m))
        finally:
            self.lib.zmq_msg_close(ctypes.byref(m))

    def errno_of(self, fn, *args):
        """The errno `fn` fails with, or 0 if it succeeds."""
        try:
            fn(*args)
            return 0
        except ZmqError as e:
            return e.errno


EAGAIN = errno.EAGAIN
