"""Framing shared by the host and the in-container executor (stdlib only; also shipped into the container).

A frame is `>II` (header length, payload length), a UTF-8 JSON object, then `payload length` raw bytes.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

HEADER = struct.Struct('>II')


def encode(header: dict[str, Any], payload: bytes = b'') -> bytes:
    """Return the bytes of one frame."""
    head = json.dumps(header, separators=(',', ':')).encode()
    return HEADER.pack(len(head), len(payload)) + head + payload


class Wire:
    """Blocking framed reader/writer over a pair of file descriptors (the executor's side of the channel)."""

    def __init__(self, rfd: int, wfd: int) -> None:
        self.rfd, self.wfd = rfd, wfd
        self.buf = bytearray()
        self.eof = False

    def fill(self) -> None:
        """Read whatever is available (blocking if nothing is); sets `eof` at end of stream."""
        data = os.read(self.rfd, 1 << 20)
        if not data:
            self.eof = True
        self.buf += data

    def take(self) -> tuple[dict[str, Any], bytes] | None:
        """Return a complete buffered frame, or None if none is buffered yet."""
        if len(self.buf) < HEADER.size:
            return None
        hlen, plen = HEADER.unpack_from(self.buf)
        end = HEADER.size + hlen + plen
        if len(self.buf) < end:
            return None
        header: dict[str, Any] = json.loads(bytes(self.buf[HEADER.size : HEADER.size + hlen]))
        payload = bytes(self.buf[HEADER.size + hlen : end])
        del self.buf[:end]
        return header, payload

    def recv(self) -> tuple[dict[str, Any], bytes] | None:
        """Block until a frame arrives; None at end of stream."""
        while True:
            frame = self.take()
            if frame is not None or self.eof:
                return frame
            self.fill()

    def send(self, header: dict[str, Any], payload: bytes = b'') -> None:
        """Write one frame completely."""
        view = memoryview(encode(header, payload))
        while view:
            view = view[os.write(self.wfd, view) :]
