"""The exec request the executor receives and the `ExecResult` built from its reply (host side)."""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from typing import Any

from ._config import SandboxConfig
from ._paths import normalize
from ._protocol import Command, OnOutput
from ._result import ExecResult, Limit

__all__ = ['OutputRelay', 'exec_request', 'exec_result']

class OutputRelay:
    """Turns the executor's streamed `out` frames into `on_output(stream, text)` calls.

    Bytes are decoded as UTF-8 per stream (a character split across frames is joined; invalid bytes become U+FFFD).
    A callback that raises is not called again: a failing display must not break the command.
    """

    def __init__(self, on_output: OnOutput) -> None:
        self._on_output: OnOutput | None = on_output
        self._decoders = {name: codecs.getincrementaldecoder('utf-8')('replace') for name in ('stdout', 'stderr')}

    def _deliver(self, stream: str, text: str) -> None:
        if not text or self._on_output is None:
            return
        try:
            self._on_output(stream, text)
        except Exception:  # see the class docstring
            self._on_output = None

    def frame(self, header: dict[str, Any], body: bytes) -> None:
        """Handle one `out` frame."""
        stream = 'stderr' if header.get('stream') == 'stderr' else 'stdout'
        self._deliver(stream, self._decoders[stream].decode(body))

    def finish(self) -> None:
        """Deliver what is left of an incomplete character at the end of each stream."""
        for stream, decoder in self._decoders.items():
            self._deliver(stream, decoder.decode(b'', final=True))


def exec_request(
    config: SandboxConfig, cmd: Command, timeout_s: float | None, env: Mapping[str, str] | None, cwd: str | None
) -> dict[str, Any]:
    """Validate the arguments of `exec` and build the executor request.

    Raises:
        ValueError: `cmd` is empty or not strings, has NUL, `timeout_s` is outside (0, max_timeout_s], or an env
            name is empty or has `=`/NUL.
        WorkspacePathError: `cwd` is outside the workspace.
    """
    if isinstance(cmd, str):
        argv = ['/bin/sh', '-c', cmd]
    elif isinstance(cmd, Sequence) and cmd and all(isinstance(a, str) for a in cmd):
        argv = list(cmd)
    else:
        raise ValueError(f'cmd must be a string or a non-empty list of strings (got {cmd!r})')
    if any('\0' in a for a in argv):
        raise ValueError('cmd must not contain NUL characters')
    timeout = config.default_timeout_s if timeout_s is None else float(timeout_s)
    if not 0 < timeout <= config.max_timeout_s:
        raise ValueError(f'timeout_s must be in (0, {config.max_timeout_s}] (got {timeout_s!r})')
    env_dict = {str(k): str(v) for k, v in (env or {}).items()}
    if any(not k or '=' in k or '\0' in k + v for k, v in env_dict.items()):
        raise ValueError('env names must be non-empty without "=" or NUL, and values without NUL')
    return {
        'op': 'exec', 'argv': argv, 'env': env_dict, 'timeout': timeout,
        'cwd': normalize(cwd or '.', config.workdir, what='cwd'),
        'limit': config.output_limit_bytes, 'disk_dirs': list(config.writable_dirs[:3]),
    }  # fmt: skip


def exec_result(
    config: SandboxConfig, reply: dict[str, Any], body: bytes, timeout: float, duration: float
) -> ExecResult:
    """Build the `ExecResult` of an executor reply, re-applying the output cap and naming the limit hit."""
    cfg, limit = config, config.output_limit_bytes
    n_out, n_err = int(reply.get('out', 0)), int(reply.get('err', 0))
    stdout, stderr = body[: min(n_out, limit)], body[n_out : n_out + min(n_err, limit)]
    truncated = bool(reply.get('trunc')) or n_out > limit or n_err > limit
    timed_out = bool(reply.get('timed_out'))
    checks = [
        (reply.get('oom'), Limit.MEMORY, f'memory limit of {cfg.memory_mb} MiB reached; the process was killed'),
        (reply.get('pids'), Limit.PIDS, f'process limit of {cfg.pids_limit} reached'),
        (reply.get('disk'), Limit.DISK, 'a writable filesystem (workspace, /tmp or /dev/shm) is full'),
        (reply.get('fsize'), Limit.FILE_SIZE, f'file size limit of {cfg.fsize_mb} MiB reached'),
        (timed_out, Limit.TIMEOUT, f'timed out after {timeout:g}s; every process it started was killed'),
        (truncated, Limit.OUTPUT, f'output over {limit} bytes per stream was discarded'),
    ]
    hit = [(kind, note) for flag, kind, note in checks if flag]
    notes = ''.join(f'agentcore: {note}\n' for _, note in hit)
    text = stderr.decode(errors='replace')
    if notes and text and not text.endswith('\n'):
        text += '\n'
    return ExecResult(
        exit_code=int(reply['exit']), stdout=stdout.decode(errors='replace'), stderr=text + notes,
        timed_out=timed_out, truncated=truncated, duration_s=duration,
        oom_killed=None if reply.get('oom') is None else bool(reply['oom']),
        limit=hit[0][0] if hit else None,
    )  # fmt: skip
