"""PostgreSQL: one checkpoint pool per process and event loop, schema work under an advisory lock, retries."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ._errors import AgentcoreError

__all__ = ['DatabaseUnavailableError', 'checkpoint_saver', 'close_pools', 'is_transient', 'mask_url',
           'prepare_schema', 'retry_async', 'retry_sync']

_T = TypeVar('_T')
_log = logging.getLogger('agentcore.postgres')

#: Fixed `pg_advisory_lock` keys: every process serialises its DDL on them, so concurrent first use never races.
CHECKPOINT_SCHEMA_LOCK = 0x6167_6374_0001
RUN_STORE_SCHEMA_LOCK = 0x6167_6374_0002
#: How long a transient error (restart, failover, broken connection) is retried, all tries together, in seconds.
RETRY_S = 60.0
#: Backoff between tries: doubles from the first, capped.
_BACKOFF_FIRST_S, _BACKOFF_MAX_S = 0.05, 2.0
#: Most connections each checkpoint pool opens (per process and event loop).
POOL_MAX_SIZE = 10
#: How long the first connection of a process may take before the database is reported unreachable.
CONNECT_TIMEOUT_S = 10

# SQLSTATEs worth waiting out: connection exceptions (08...), admin/crash shutdown, cannot connect now,
# too many connections, serialization failure, deadlock.
_TRANSIENT_STATES = ('57P01', '57P02', '57P03', '53300', '40001', '40P01')
# Connection failures carry no SQLSTATE: these messages say the server is (re)starting, not misconfigured.
_STARTING = ('starting up', 'shutting down', 'in recovery mode', 'not yet accepting connections')
_PERMANENT = ('authentication failed', 'does not exist', 'pg_hba.conf', 'permission denied', 'invalid dsn',
              'invalid connection option', 'role ')


class DatabaseUnavailableError(AgentcoreError):
    """A PostgreSQL database cannot be reached, refused the connection, or stayed down past the retry budget."""

    usage_error = True
    default_hint = 'check the URL (AGENTCORE_DATABASE_URL / AGENTCORE_CHECKPOINT_URL) and that the server is running'


def mask_url(url: str) -> str:
    """`url` with its password replaced by `***` (URL and `key=value` forms)."""
    url = re.sub(r'(://[^:/@]*:)[^@]*@', r'\1***@', url)
    return re.sub(r'(password\s*=\s*)(\'[^\']*\'|\S+)', r'\1***', url)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _root(exc: BaseException) -> BaseException:
    """The DB-API error under a SQLAlchemy wrapper."""
    orig = getattr(exc, 'orig', None)
    return orig if isinstance(orig, BaseException) else exc


def is_transient(exc: BaseException, *, first_contact: bool = False) -> bool:
    """Whether `exc` is worth retrying: a restart, a failover, a broken connection, a serialization failure.

    `first_contact`: the process has never reached this database; then only a server that says it is starting
    or stopping counts (a refused connection or a bad password is a configuration error, reported at once).
    """
    import psycopg

    if isinstance(exc, DatabaseUnavailableError):
        return False
    root = _root(exc)
    message = str(root).lower()
    if any(s in message for s in _STARTING):
        return True
    if first_contact:
        return False
    if getattr(exc, 'connection_invalidated', False):
        return True
    if not isinstance(root, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    state = getattr(root, 'sqlstate', None)
    if state is None:
        return not any(s in message for s in _PERMANENT)
    return state.startswith('08') or state in _TRANSIENT_STATES


def _unavailable(url: str, exc: BaseException, *, gave_up_s: float | None = None) -> DatabaseUnavailableError:
    waited = '' if gave_up_s is None else f' (still failing after {gave_up_s:.0f} s of retries)'
    return DatabaseUnavailableError(f'cannot use PostgreSQL at {mask_url(url)}: {_first_line(_root(exc))}{waited}')


class _Backoff:
    def __init__(self, url: str, what: str, budget_s: float | None) -> None:
        self.url, self.what = url, what
        self.budget_s = RETRY_S if budget_s is None else budget_s
        self.start = time.monotonic()
        self.delay = _BACKOFF_FIRST_S
        self.tries = 0

    def next_delay(self, exc: BaseException) -> float:
        """Seconds to wait before the next try. Raises: DatabaseUnavailableError: the budget is spent."""
        elapsed = time.monotonic() - self.start
        if elapsed + self.delay > self.budget_s:
            raise _unavailable(self.url, exc, gave_up_s=elapsed) from exc
        if self.tries == 0:
            _log.warning('PostgreSQL at %s: %s failed (%s); retrying for up to %.0f s', mask_url(self.url),
                         self.what, _first_line(_root(exc)), self.budget_s)
        self.tries += 1
        delay, self.delay = self.delay, min(self.delay * 2, _BACKOFF_MAX_S)
        return delay


def retry_sync(call: Callable[[], _T], *, url: str, what: str, budget_s: float | None = None) -> _T:
    """Run `call`, retrying transient errors with backoff for up to `budget_s` (default `RETRY_S`).

    `call` must be safe to repeat (idempotent, or able to tell that an earlier try took effect).

    Raises:
        DatabaseUnavailableError: the errors outlasted the budget.
        Exception: whatever `call` raises that is not transient, unchanged.
    """
    backoff = _Backoff(url, what, budget_s)
    while True:
        try:
            return call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            time.sleep(backoff.next_delay(exc))


async def retry_async(call: Callable[[], Awaitable[_T]], *, url: str, what: str,
                      budget_s: float | None = None) -> _T:
    """`retry_sync` for coroutines: `call()` makes a fresh awaitable for each try. Raises: as `retry_sync`."""
    backoff = _Backoff(url, what, budget_s)
    while True:
        try:
            return await call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            await asyncio.sleep(backoff.next_delay(exc))


# -- the run store's schema -----------------------------------------------------------------------------------

_schemas_ready: set[tuple[str, str]] = set()
_schemas_guard = threading.Lock()


def prepare_schema(engine: Any, create: Callable[[Any], None], *, kind: str = 'runstore') -> None:
    """Run `create(connection)` once per process and database, in one transaction under an advisory lock.

    PostgreSQL DDL is transactional, so another process waiting on the lock sees either no tables or all of them.

    Raises:
        DatabaseUnavailableError: the database cannot be reached or refuses the connection.
    """
    from sqlalchemy import exc as sa_exc, text

    url = engine.url.render_as_string(hide_password=False)
    key = (kind, url)
    with _schemas_guard:
        if key in _schemas_ready:
            return

        def once() -> None:
            with engine.begin() as conn:
                conn.execute(text('SELECT pg_advisory_xact_lock(:k)'), {'k': RUN_STORE_SCHEMA_LOCK})
                create(conn)

        backoff = _Backoff(url, 'schema setup', None)
        while True:
            try:
                once()
                break
            except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
                if not is_transient(exc, first_contact=True):
                    raise _unavailable(url, exc) from None
                time.sleep(backoff.next_delay(exc))
        _schemas_ready.add(key)


# -- checkpoints ------------------------------------------------------------------------------------------------

@dataclass
class _Entry:
    loop: asyncio.AbstractEventLoop
    pool: Any
    saver: Any
    guard: Any  # the async generator that closes the pool when the loop shuts down


_entries: dict[tuple[int, str], _Entry] = {}
_entry_locks: dict[tuple[int, str], asyncio.Lock] = {}
_entries_guard = threading.Lock()
_checkpoints_ready: set[str] = set()


async def checkpoint_saver(url: str) -> Any:
    """The process's checkpoint saver for `url` on the running event loop (built, and the schema set up, once).

    One `psycopg_pool.AsyncConnectionPool` per (event loop, URL) serves every run on that loop; a pool whose loop
    has ended (the sync `Agent.run` runs each call in its own loop) is replaced, and closed when its loop shuts
    down. The saver's reads and writes retry transient errors (all its writes are upserts).

    Raises:
        DatabaseUnavailableError: the database cannot be reached, or refuses the connection, on first use.
    """
    loop = asyncio.get_running_loop()
    key = (id(loop), url)
    entry = _entries.get(key)
    if entry is not None and entry.loop is loop:
        return entry.saver
    with _entries_guard:
        lock = _entry_locks.setdefault(key, asyncio.Lock())
    async with lock:
        entry = _entries.get(key)
        if entry is not None and entry.loop is loop:
            return entry.saver
        _sweep()
        if url not in _checkpoints_ready:
            await _setup_checkpoints(url)
            _checkpoints_ready.add(url)
        entry = await _open_entry(loop, url)
        with _entries_guard:
            _entries[key] = entry
        return entry.saver


def _sweep() -> None:
    """Forget pools of event loops that have ended (their shutdown closed them)."""
    with _entries_guard:
        for key in [k for k, e in _entries.items() if e.loop.is_closed()]:
            del _entries[key]
            _entry_locks.pop(key, None)


async def close_pools() -> None:
    """Close the checkpoint pools of the running event loop (they otherwise close when the loop shuts down)."""
    loop = asyncio.get_running_loop()
    with _entries_guard:
        mine = [(k, e) for k, e in _entries.items() if e.loop is loop]
        for key, _ in mine:
            del _entries[key]
    for _, entry in mine:
        await entry.guard.aclose()


async def _setup_checkpoints(url: str) -> None:
    """LangGraph's checkpoint tables and migrations, under a session advisory lock."""
    import psycopg
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row

    async def once() -> None:
        conn = await psycopg.AsyncConnection.connect(url, autocommit=True, prepare_threshold=0,
                                                     row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S)
        async with conn:
            # Polled, not waited for: LangGraph's migrations run CREATE INDEX CONCURRENTLY, which waits for every
            # open transaction, a `pg_advisory_lock` waiting in another process included (a deadlock).
            while True:
                row = await (await conn.execute('SELECT pg_try_advisory_lock(%s) AS ok',
                                                (CHECKPOINT_SCHEMA_LOCK,))).fetchone()
                if row and row['ok']:
                    break
                await asyncio.sleep(0.05)
            try:
                await AsyncPostgresSaver(conn).setup()
            finally:
                await conn.execute('SELECT pg_advisory_unlock(%s)', (CHECKPOINT_SCHEMA_LOCK,))

    backoff = _Backoff(url, 'checkpoint schema setup', None)
    while True:
        try:
            await once()
            return
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if not is_transient(exc, first_contact=True):
                raise _unavailable(url, exc) from None
            await asyncio.sleep(backoff.next_delay(exc))
        except psycopg.ProgrammingError as exc:  # a malformed URL
            raise _unavailable(url, exc) from None


async def _open_entry(loop: asyncio.AbstractEventLoop, url: str) -> _Entry:
    from psycopg.rows import dict_row

    pool: Any = _pool_type()(
        url, min_size=1, max_size=POOL_MAX_SIZE, open=False, name=f'agentcore-checkpoints-{mask_url(url)}',
        kwargs={'autocommit': True, 'prepare_threshold': 0, 'row_factory': dict_row,
                'connect_timeout': CONNECT_TIMEOUT_S},
    )
    await pool.open()
    guard = _close_on_shutdown(pool)
    await guard.__anext__()  # registered with the loop: `shutdown_asyncgens` (asyncio.run's end) closes the pool
    return _Entry(loop=loop, pool=pool, saver=_retrying_saver_type()(pool, url), guard=guard)


async def _close_on_shutdown(pool: Any) -> AsyncIterator[None]:
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await pool.close(timeout=1.0)


_POOL_TYPE: type[Any] | None = None


def _pool_type() -> type[Any]:
    """`AsyncConnectionPool` whose maintenance workers end when cancelled.

    psycopg_pool's own worker (and the connecting task it runs) survive a `CancelledError` and then wait for the
    queue forever: the end of `asyncio.run`, which cancels every task and waits for them, would hang (the sync
    `Agent.run` ends a loop per call).
    """
    global _POOL_TYPE
    if _POOL_TYPE is not None:
        return _POOL_TYPE
    from psycopg_pool import AsyncConnectionPool
    from psycopg_pool.pool_async import StopWorker

    class Pool(AsyncConnectionPool):
        @classmethod
        async def worker(cls, q: Any) -> None:
            while True:
                task = await q.get()
                if isinstance(task, StopWorker):
                    return
                try:
                    await task.run()
                except Exception as exc:  # as psycopg_pool does; a CancelledError ends the worker
                    logging.getLogger('psycopg.pool').warning('task run %s failed: %s: %s', task,
                                                              type(exc).__name__, exc)
                me = asyncio.current_task()
                if me is not None and me.cancelling():  # cancelled, and the task swallowed it (connecting does)
                    raise asyncio.CancelledError

    logging.getLogger('psycopg.pool').addFilter(_not_cancelled)
    _POOL_TYPE = Pool
    return _POOL_TYPE


def _not_cancelled(record: logging.LogRecord) -> bool:
    """Drop psycopg_pool's warnings about a connection attempt cut off by its loop's end (not a failure)."""
    args = record.args if isinstance(record.args, tuple) else ()
    return not any(isinstance(a, asyncio.CancelledError) for a in args)


_SAVER_TYPE: type[Any] | None = None


def _retrying_saver_type() -> type[Any]:
    """`AsyncPostgresSaver` on a pool, retrying transient errors, without the per-saver lock a pool needs not."""
    global _SAVER_TYPE
    if _SAVER_TYPE is not None:
        return _SAVER_TYPE
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    class RetryingPostgresSaver(AsyncPostgresSaver):
        """Every read and write retried on transient errors; safe, since checkpoint writes are upserts."""

        def __init__(self, pool: Any, url: str) -> None:
            super().__init__(pool)
            self.pool = pool
            self.url = url
            # The saver's lock serialises use of one connection; each pool checkout is its own connection.
            self.lock = contextlib.nullcontext()  # type: ignore[assignment]

        async def _retry(self, what: str, call: Callable[[], Awaitable[_T]]) -> _T:
            async def attempt() -> _T:
                try:
                    return await call()
                except Exception as exc:
                    if is_transient(exc):
                        with contextlib.suppress(Exception):
                            await self.pool.check()  # drop the pool's other dead connections too
                    raise

            return await retry_async(attempt, url=self.url, what=what)

        async def aget_tuple(self, config: Any) -> Any:
            return await self._retry('checkpoint read', lambda: AsyncPostgresSaver.aget_tuple(self, config))

        async def alist(self, config: Any, *, filter: dict[str, Any] | None = None, before: Any = None,
                        limit: int | None = None) -> AsyncIterator[Any]:
            async def collect() -> list[Any]:
                return [t async for t in AsyncPostgresSaver.alist(self, config, filter=filter, before=before,
                                                                   limit=limit)]

            for item in await self._retry('checkpoint list', collect):
                yield item

        async def aput(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            return await self._retry('checkpoint write', lambda: AsyncPostgresSaver.aput(
                self, config, checkpoint, metadata, new_versions))

        async def aput_writes(self, config: Any, writes: Sequence[tuple[str, Any]], task_id: str,
                              task_path: str = '') -> None:
            await self._retry('checkpoint write', lambda: AsyncPostgresSaver.aput_writes(
                self, config, writes, task_id, task_path))

        async def adelete_thread(self, thread_id: str) -> None:
            await self._retry('checkpoint delete', lambda: AsyncPostgresSaver.adelete_thread(self, thread_id))

    _SAVER_TYPE = RetryingPostgresSaver
    return _SAVER_TYPE
