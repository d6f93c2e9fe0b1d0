"""`MCPSessions`: one MCP client session per server for the length of a run (so one process per stdio server)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mcp import ClientSession

log = logging.getLogger('agentcore.tools.mcp')

#: The sessions of the run in progress (set by `MCPSessions` around a block, e.g. by `Agent` around each run).
RUN_MCP_SESSIONS: ContextVar[MCPSessions | None] = ContextVar('agentcore_run_mcp_sessions', default=None)

#: How long closing one session may take before its task is cancelled (a stdio server gets 2 s to exit on its own
#: after its stdin closes, then SIGTERM, then SIGKILL: well under this).
_CLOSE_TIMEOUT_S = 10.0


def leaf_error(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups, as anyio task groups raise them."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


class _Session:
    """One open session, owned by a task of its own.

    anyio's stdio and HTTP transports must be entered and exited in one task, and tool calls come from whichever
    task the agent graph runs them in.
    """

    def __init__(self, server: str, connection: dict[str, Any]) -> None:
        self.server = server
        self.connection = connection
        loop = asyncio.get_running_loop()
        self._ready: asyncio.Future[ClientSession] = loop.create_future()
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._own(), name=f'agentcore-mcp-{server}')

    @property
    def alive(self) -> bool:
        return not self._task.done()

    async def _own(self) -> None:
        from langchain_mcp_adapters.sessions import create_session

        try:
            async with create_session(self.connection) as session:  # type: ignore[arg-type]
                await session.initialize()
                self._ready.set_result(session)
                await self._stop.wait()
        except BaseException as exc:
            if not self._ready.done():
                failure = exc if isinstance(exc, Exception) else RuntimeError('cancelled while opening')
                self._ready.set_exception(failure)
                self._ready.exception()  # retrieved: a session nobody waits for does not log "never retrieved"
            elif not isinstance(exc, asyncio.CancelledError):
                log.warning('MCP server %r: its session ended with %s', self.server, leaf_error(exc))
            if isinstance(exc, asyncio.CancelledError | KeyboardInterrupt | SystemExit):
                raise

    async def session(self) -> ClientSession:
        """The open session, once initialised.

        Raises:
            MCPError: the server could not be started or reached, or did not initialise.
        """
        from ._mcp import MCPError

        try:
            return await asyncio.shield(self._ready)
        except Exception as exc:
            leaf = leaf_error(exc)
            raise MCPError(
                f'MCP server {self.server!r}: cannot open a session: {type(leaf).__name__}: {leaf}',
                hint='check that the server starts (stdio command) or is listening (url)',
            ) from exc

    async def aclose(self) -> None:
        """Close the session and wait for its server process to exit (bounded; the task is cancelled past that)."""
        self._stop.set()
        done, _ = await asyncio.wait({self._task}, timeout=_CLOSE_TIMEOUT_S)
        if not done:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=_CLOSE_TIMEOUT_S)


class MCPSessions:
    """Open MCP client sessions, at most one per server, each opened at first use and all closed on exit.

    Inside `async with MCPSessions():` every `MCPTool` call (in this task, or in tasks started inside the block)
    goes through the block's session to its server, so a stateful server keeps its state from call to call and a
    stdio server runs as one process. `Agent` opens one around each run (closed when the run ends, pauses for
    approval, fails or is cancelled); outside any block each call opens and closes a session of its own.

    A session whose connection breaks is dropped and the next call opens a new one (the server's state is lost).
    `MCPSessions` are for one event loop; blocks nest (the innermost is used).
    """

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], _Session] = {}
        self._tokens: list[Any] = []
        self.closed = False

    async def __aenter__(self) -> MCPSessions:
        self._tokens.append(RUN_MCP_SESSIONS.set(self))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.aclose()
        finally:
            token = self._tokens.pop()
            with contextlib.suppress(ValueError):  # a generator closed from another context (its var is gone with it)
                RUN_MCP_SESSIONS.reset(token)

    @property
    def servers(self) -> list[str]:
        """The servers with a live session, sorted."""
        return sorted({server for (server, _), s in self._open.items() if s.alive})

    async def session(self, server: str, connection: Mapping[str, Any]) -> ClientSession:
        """The open session to `server`, opened now if it has none yet (or its last one broke).

        Raises:
            MCPError: the sessions are closed, or the server could not be started, reached or initialised.
        """
        from ._mcp import MCPError

        if self.closed:
            raise MCPError(f'MCP server {server!r}: the sessions of this run are closed',
                           hint='call MCP tools inside the `async with MCPSessions()` block (or the run)')
        key = (server, json.dumps(dict(connection), sort_keys=True, default=str))
        current = self._open.get(key)
        if current is None or not current.alive:  # no await before the insert: concurrent first calls share one
            current = self._open[key] = _Session(server, dict(connection))
        return await current.session()

    async def discard(self, server: str, connection: Mapping[str, Any]) -> None:
        """Close the session to `server` (after its connection broke); the next call opens a new one."""
        key = (server, json.dumps(dict(connection), sort_keys=True, default=str))
        current = self._open.pop(key, None)
        if current is not None:
            await current.aclose()

    async def aclose(self) -> None:
        """Close every session and wait for the servers to exit (idempotent; it finishes if the caller is cancelled)."""
        self.closed = True
        sessions, self._open = list(self._open.values()), {}
        if not sessions:
            return
        # shielded: a run cancelled while it closes still lets its servers exit
        await asyncio.shield(asyncio.gather(*(s.aclose() for s in sessions), return_exceptions=True))
