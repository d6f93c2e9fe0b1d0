"""The host end of the executor protocol, over the container's attached (multiplexed) stdin/stdout socket.

Docker multiplexes a non-TTY attach stream into records of `[stream, 0, 0, 0, size(>I)] + data`; stream 1 is the
executor's stdout (protocol frames, authenticated as described in `agentcore.sandbox._executor_wire`), stream 2 its stderr
(kept as a short tail for diagnostics). Every read has a deadline, and a frame's declared size is checked before
it is read, so host memory stays bounded by the caller's `max_payload` whatever the container sends.
"""

from __future__ import annotations

import hmac
import json
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any

from ._executor_wire import HEADER, MAC_SIZE, encode, mac

_MAX_HEADER = 32 << 20
_STDERR_TAIL = 4096
_SEND_TIMEOUT_S = 60.0


class ChannelError(Exception):
    """The channel can no longer be used; the container must be replaced."""


class ChannelTimeout(ChannelError):
    """No complete reply arrived before the deadline."""


class ChannelClosed(ChannelError):
    """The stream ended: the executor or its container is gone."""


class ProtocolViolation(ChannelError):
    """The executor sent something malformed or larger than allowed."""


class Channel:
    """Request/reply over one attach socket. One reader at a time; `send` may be called from any thread.

    The socket is non-blocking and every wait goes through `select` with an explicit deadline, so no thread
    ever changes a timeout another thread relies on, and a send to a hung executor cannot block forever.
    """

    def __init__(self, sock: socket.socket, key: bytes, keepalive: object = None) -> None:
        self._sock = sock
        self._key = key
        self._keepalive = keepalive  # the HTTP response owning the socket; dropping it may close TLS sockets
        self._sock.setblocking(False)
        self._raw = bytearray()
        self._data = bytearray()
        self._wlock = threading.Lock()
        self._users_lock = threading.Lock()
        self._users = 0  # threads inside send/recv: the fd is only closed once none is
        self._close_pending = False
        self.stderr_tail = b''
        self.broken = False

    def _enter(self) -> None:
        with self._users_lock:
            if self._close_pending:
                raise ChannelClosed('the sandbox stream is closed')
            self._users += 1

    def _leave(self) -> None:
        with self._users_lock:
            self._users -= 1
            if self._close_pending and self._users == 0:
                self._sock.close()

    def send(self, header: dict[str, Any], payload: bytes = b'', *, deadline: float | None = None) -> None:
        """Send one frame, giving up at `deadline` (a `time.monotonic()` value; default: 60 s from now).

        Raises:
            ChannelTimeout: the executor did not take the data in time (the channel is then broken).
            ChannelClosed: the socket is gone.
        """
        self.send_raw(encode(self._key, header, payload), deadline=deadline)

    def send_raw(self, data: bytes, *, deadline: float | None = None) -> None:
        """Send bytes as they are (used once, for the executor bundle); see `send`."""
        limit = time.monotonic() + _SEND_TIMEOUT_S if deadline is None else deadline
        view = memoryview(data)
        self._enter()
        with self._wlock:
            try:
                while view:
                    try:
                        view = view[self._sock.send(view) :]
                        continue
                    except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                        pass
                    remaining = limit - time.monotonic()
                    if remaining <= 0:
                        raise ChannelTimeout('the sandbox executor stopped reading its input')
                    select.select([], [self._sock], [], remaining)
            except ChannelError:
                self.broken = True
                raise
            except (OSError, ValueError) as exc:
                self.broken = True
                raise ChannelClosed(f'sandbox stream closed: {exc}') from exc
            finally:
                self._leave()

    def recv(self, deadline: float, max_payload: int) -> tuple[dict[str, Any], bytes]:
        """Read one frame, waiting at most until `deadline` (a `time.monotonic()` value).

        Raises:
            ChannelTimeout: the deadline passed first.
            ChannelClosed: the stream ended.
            ProtocolViolation: the frame was malformed or its payload larger than `max_payload`.
        """
        self._enter()
        try:
            self._fill(HEADER.size, deadline)
            hlen, plen = HEADER.unpack_from(self._data)
            if hlen > _MAX_HEADER or plen > max_payload:
                raise ProtocolViolation(f'executor reply too large ({hlen}+{plen} bytes, limit {max_payload})')
            end = HEADER.size + hlen + plen
            self._fill(end + MAC_SIZE, deadline)
            if not hmac.compare_digest(bytes(self._data[end : end + MAC_SIZE]), mac(self._key, self._data[:end])):
                raise ProtocolViolation('a reply failed authentication (forged or corrupted)')
            try:
                header = json.loads(bytes(self._data[HEADER.size : HEADER.size + hlen]))
            except ValueError as exc:
                raise ProtocolViolation(f'executor sent a malformed header: {exc}') from exc
            if not isinstance(header, dict):
                raise ProtocolViolation('executor sent a header that is not an object')
            payload = bytes(self._data[HEADER.size + hlen : end])
            del self._data[: end + MAC_SIZE]
            return header, payload
        except ChannelError:
            self.broken = True
            raise
        finally:
            self._leave()

    def request(
        self, header: dict[str, Any], payload: bytes = b'', *, deadline: float, max_payload: int,
        interim: Callable[[dict[str, Any], bytes], None] | None = None,
    ) -> tuple[dict[str, Any], bytes]:  # fmt: skip
        """Send a request carrying an `id` and return the reply with the same `id` (see `send` and `recv`).

        With `interim`, frames `{"op": "out"}` for this request that come before the reply (streamed output) are
        handed to it as they arrive; every frame must still arrive before the same `deadline`.

        Raises:
            ChannelTimeout, ChannelClosed: as for `send` and `recv`.
            ProtocolViolation: as for `recv`, or the reply answers another request.
        """
        self.send(header, payload, deadline=deadline)
        reply, body = self.recv(deadline, max_payload)
        while interim is not None and reply.get('op') == 'out' and reply.get('id') == header.get('id'):
            interim(reply, body)
            reply, body = self.recv(deadline, max_payload)
        if reply.get('id') != header.get('id'):
            self.broken = True
            raise ProtocolViolation(f'reply {reply.get("id")!r} does not answer request {header.get("id")!r}')
        return reply, body

    def _read_some(self, deadline: float) -> bytes:
        while True:
            pending = getattr(self._sock, 'pending', None)  # TLS may hold decrypted bytes select cannot see
            if not (pending is not None and pending()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ChannelTimeout('the sandbox executor did not answer in time')
                try:
                    if not select.select([self._sock], [], [], remaining)[0]:
                        continue
                except (OSError, ValueError) as exc:
                    raise ChannelClosed(f'sandbox stream failed: {exc}') from exc
            try:
                chunk = self._sock.recv(1 << 20)
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                continue
            except OSError as exc:
                raise ChannelClosed(f'sandbox stream failed: {exc}') from exc
            if not chunk:
                raise ChannelClosed('the sandbox executor exited')
            return chunk

    def _fill(self, size: int, deadline: float) -> None:
        while len(self._data) < size:
            self._demux()
            if len(self._data) >= size:
                return
            self._raw += self._read_some(deadline)

    def _demux(self) -> None:
        raw = self._raw
        while len(raw) >= 8:
            stream, size = raw[0], int.from_bytes(raw[4:8], 'big')
            if len(raw) < 8 + size:
                return
            if stream == 2:
                self.stderr_tail = (self.stderr_tail + bytes(raw[8 : 8 + size]))[-_STDERR_TAIL:]
            else:
                self._data += raw[8 : 8 + size]
            del raw[: 8 + size]

    def close(self) -> None:
        """Shut the stream down (the executor sees end of stdin and exits) and release the socket.

        Safe while another thread is blocked in `recv` or `send`: that thread wakes with `ChannelClosed`, and the
        file descriptor is closed only after it has left, so it can never be reused under its feet.
        """
        self.broken = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        with self._users_lock:
            if self._close_pending:
                return
            self._close_pending = True
            if self._users == 0:
                self._sock.close()
