"""Framing shared by the host and the in-container executor (stdlib only; also shipped into the container).

A frame is `>II` (header length, payload length), a UTF-8 JSON object, `payload length` raw bytes, and a 32-byte
HMAC-SHA256 of all of that under a per-container key. The key travels only once, over stdin in the bootstrap
bundle, before any sandbox code runs. The MAC matters because the container's stdio pipes are also open in the
init process, which the sandbox user can reach through /proc/1/fd: injected or forged frames fail the check (the
executor drops them; the host treats one as a broken channel and replaces the container).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from typing import Any

HEADER = struct.Struct('>II')
MAC_SIZE = 32


def mac(key: bytes, frame: bytes | bytearray | memoryview) -> bytes:
    """The HMAC-SHA256 of a frame body (length prefix, header and payload)."""
    return hmac.new(key, frame, hashlib.sha256).digest()


def encode(key: bytes, header: dict[str, Any], payload: bytes = b'') -> bytes:
    """Return the bytes of one authenticated frame."""
    head = json.dumps(header, separators=(',', ':')).encode()
    body = HEADER.pack(len(head), len(payload)) + head + payload
    return body + mac(key, body)


class Wire:
    """Blocking framed reader/writer over a pair of file descriptors (the executor's side of the channel)."""

    def __init__(self, rfd: int, wfd: int, key: bytes) -> None:
        self.rfd, self.wfd, self.key = rfd, wfd, key
        self.buf = bytearray()
        self.eof = False
        self.rejected = 0

    def fill(self) -> None:
        """Read whatever is available (blocking if nothing is); sets `eof` at end of stream."""
        data = os.read(self.rfd, 1 << 20)
        if not data:
            self.eof = True
        self.buf += data

    def take(self) -> tuple[dict[str, Any], bytes] | None:
        """Return the next complete, authentic buffered frame (dropping forged ones), or None."""
        while len(self.buf) >= HEADER.size:
            hlen, plen = HEADER.unpack_from(self.buf)
            end = HEADER.size + hlen + plen
            if len(self.buf) < end + MAC_SIZE:
                return None
            body = bytes(self.buf[:end])
            authentic = hmac.compare_digest(bytes(self.buf[end : end + MAC_SIZE]), mac(self.key, body))
            del self.buf[: end + MAC_SIZE]
            if not authentic:
                self.rejected += 1
                continue
            header: dict[str, Any] = json.loads(body[HEADER.size : HEADER.size + hlen])
            return header, body[HEADER.size + hlen :]
        return None

    def recv(self) -> tuple[dict[str, Any], bytes] | None:
        """Block until an authentic frame arrives; None at end of stream."""
        while True:
            frame = self.take()
            if frame is not None or self.eof:
                return frame
            self.fill()

    def send(self, header: dict[str, Any], payload: bytes = b'') -> None:
        """Write one frame completely."""
        view = memoryview(encode(self.key, header, payload))
        while view:
            view = view[os.write(self.wfd, view) :]
