"""The run store: every run, its events, tool calls, policy decisions and usage, in SQL.

SQLite under the data directory by default; any SQLAlchemy URL (e.g. `postgresql+psycopg://...`) for scale.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event, insert, literal_column, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError
from sqlmodel import SQLModel, create_engine

from .._effects import owner_columns, owner_gone, this_host
from .._errors import AgentcoreError
from .._postgres import is_transient, prepare_schema, retry_sync
from .._wal import BackgroundCheckpointer
from ._blobs import WorkspaceBlobs
from ._tables import PolicyDecisionRecord, RunRecord, StepRecord, ToolCallRecord, UsageRecord

_T = TypeVar('_T')


class RunNotFoundError(AgentcoreError, LookupError):
    """No run with that id in the store."""

    usage_error = True

    def __init__(self, run_id: str) -> None:
        super().__init__(f'no run {run_id!r} in the run store', hint='list runs with `agentcore runs list`')


#: Compiled INSERTs by (dialect, paramstyle, table), shared by every store of the process.
_INSERT_SQL: dict[tuple[str, str, str], tuple[str, list[str]]] = {}


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _corrupt_file(engine: Engine, exc: DatabaseError) -> AgentcoreError:
    """A `ConfigError` naming the SQLite file a store cannot use, and how to start afresh."""
    from .._settings import ConfigError

    path = engine.url.database or ':memory:'
    return ConfigError(f'run store database {path}: {getattr(exc, "orig", None) or exc}',
                       hint=f'move {path} aside (a new one is created), or set AGENTCORE_DATABASE_URL')


def _dumps(value: Any) -> str:
    """`value` as JSON; nesting deeper than `MAX_ARG_DEPTH` is dropped rather than raising RecursionError."""
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except RecursionError:
        from .._sanitize import clean_value

        return json.dumps(clean_value(value), sort_keys=True, default=str)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.execute('PRAGMA busy_timeout=5000')
    cur.close()


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f'sqlite:///{path}'


class RunStore:
    """Persistent record of runs. Thread-safe; one instance may be shared by many agents.

    Events, policy decisions and usage are buffered and written in one transaction per `flush()` (the agent graph
    flushes after every node); the effect ledger and run status are written through at once, because resuming
    after a crash depends on them.

    Args:
        url: a SQLAlchemy URL. `sqlite:///path` or `postgresql+psycopg://user@host/db`.

    On PostgreSQL the schema is created (and migrated) once per process and database, in one transaction under
    an advisory lock, so concurrent first use never races; writes retry transient errors (a restart, a failover,
    a broken connection) with backoff, and never insert a batch twice (see `_write`).

    Raises:
        ConfigError: the URL is not a valid SQLAlchemy URL, or names a driver that is not installed; or the SQLite
            file is not a database (the message names it and the fix).
        DatabaseUnavailableError: a PostgreSQL database cannot be reached or refuses the connection.
        sqlalchemy.exc.OperationalError: another database cannot be reached.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        #: A local SQLite file: written inline; a database server is written from worker threads.
        self._local = url.startswith('sqlite')
        try:
            if self._local:
                self.engine: Engine = create_engine(url, connect_args={'check_same_thread': False})
                event.listen(self.engine, 'connect', _sqlite_pragmas)
            else:
                self.engine = create_engine(url, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            from .._postgres import mask_url
            from .._settings import ConfigError

            raise ConfigError(f'invalid run store URL {mask_url(url)!r}: {exc}',
                              hint='use sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST/DB') from None
        if self.engine.dialect.name == 'postgresql':
            prepare_schema(self.engine, _create_schema)
        else:
            try:
                _create_schema(self.engine)
            except DatabaseError as exc:  # random bytes, a truncated file: "file is not a database"
                self.engine.dispose()
                raise _corrupt_file(self.engine, exc) from None
        self._lock = threading.Lock()
        self._positional = self.engine.dialect.positional
        self._seq: dict[str, int] = {}
        # The ledger of runs this store created, mirrored in memory: their calls are looked up without a query.
        self._own_runs: set[str] = set()
        self._own_calls: dict[tuple[str, str], dict[str, Any]] = {}
        self._buffer: list[tuple[Any, dict[str, Any]]] = []
        self._write_lock = threading.Lock()
        self._write_conn: Any = None
        self._wal: Any = None
        self._blobs: WorkspaceBlobs | None = None

    # -- runs -------------------------------------------------------------------------------------------------
    def create_run(self, run_id: str, task: str, model: str, config: dict[str, Any] | None = None) -> bool:
        """Record a new run (a no-op if it already exists, so resuming is safe). Returns whether it was new."""
        with self.engine.begin() as conn:
            if conn.execute(select(_RUNS.c.run_id).where(_RUNS.c.run_id == run_id)).first() is not None:
                return False
            now = _now()
            conn.execute(insert(_RUNS).values(run_id=run_id, task=task, model=model, created_at=now, updated_at=now,
                                              config_json=_dumps(config or {}), **_RUN_DEFAULTS,
                                              **owner_columns()))
        self._own_runs.add(run_id)
        with self._lock:
            self._seq.setdefault(run_id, -1)  # a new run has no events yet: its first one needs no query
        return True

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Update columns of a run. `cost_usd=None` (an unknown cost) is stored as `cost_known=False`.

        Raises:
            RunNotFoundError: no such run.
        """
        if 'cost_usd' in fields:
            fields.update(_cost_columns(fields['cost_usd']))
        self.flush()
        with self.engine.begin() as conn:
            done = conn.execute(update(_RUNS).where(_RUNS.c.run_id == run_id).values(**fields, updated_at=_now()))
            if done.rowcount == 0:
                raise RunNotFoundError(run_id)

    def get_run(self, run_id: str) -> RunRecord:
        """Raises: RunNotFoundError: no such run."""
        with self.engine.connect() as conn:
            row = conn.execute(select(_RUNS).where(_RUNS.c.run_id == run_id)).first()
        if row is None:
            raise RunNotFoundError(run_id)
        return RunRecord.model_validate(dict(row._mapping))

    def list_runs(self, limit: int = 50) -> list[RunRecord]:
        """The most recent runs first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(_RUNS).order_by(_RUNS.c.created_at.desc()).limit(limit))
            return [RunRecord.model_validate(dict(r._mapping)) for r in rows]

    # -- buffered writes --------------------------------------------------------------------------------------
    def add_event(self, run_id: str, data: dict[str, Any]) -> None:
        """Append one run event (a `RunEvent.model_dump()`); written at the next `flush()`."""
        with self._lock:
            seq = self._seq.get(run_id)
            if seq is None:
                seq = self._last_seq(run_id)
            self._seq[run_id] = seq = seq + 1
            self._buffer.append((_STEPS, {'run_id': run_id, 'seq': seq, 'type': str(data.get('type', '')),
                                          'ts': _now(), 'data_json': _dumps(data)}))

    def add_policy_decision(self, run_id: str, call_id: str, tool: str, action: str, rule: str, reason: str) -> None:
        with self._lock:
            self._buffer.append((_POLICY, {'run_id': run_id, 'call_id': call_id, 'tool': tool, 'action': action,
                                           'rule': rule, 'reason': reason, 'ts': _now()}))

    def add_usage(self, run_id: str, step: int, model: str, input_tokens: int, output_tokens: int,
                  cost_usd: float | None) -> None:
        """Record one model turn's usage; `cost_usd=None` is an unknown cost (stored as `cost_known=False`)."""
        with self._lock:
            self._buffer.append((_USAGE, {'run_id': run_id, 'step': step, 'model': model,
                                          'input_tokens': input_tokens, 'output_tokens': output_tokens,
                                          **_cost_columns(cost_usd), 'ts': _now()}))

    def defer(self, table: Any, row: dict[str, Any]) -> None:
        """Queue a row for `table` (a SQLAlchemy table) to be inserted at the next `flush()`."""
        with self._lock:
            self._buffer.append((table, row))

    def tool_call_completed_deferred(
        self, run_id: str, call_id: str, tool: str, arguments: dict[str, Any], *, content: str, is_error: bool,
        full_output: str | None = None, data: dict[str, Any] | None = None,
    ) -> None:
        """Record a finished call of a tool without side effects, at the next `flush()`.

        Such a call has nothing to protect against running twice, so it skips the write-through `started` row.
        """
        now = _now()
        row = {'run_id': run_id, 'call_id': call_id, 'tool': tool, 'arguments_json': _dumps(arguments),
               'side_effects': 'none', 'status': 'completed', 'content': content, 'is_error': is_error,
               'full_output': full_output, 'data_json': None if data is None else _dumps(data),
               'started_at': now, 'finished_at': now}
        self.defer(_CALLS, row)
        self._remember_call(row)

    def flush(self) -> None:
        """Write buffered events, policy decisions, usage and audit rows in one transaction.

        Raises:
            sqlalchemy.exc.SQLAlchemyError: the write failed (the rows are dropped).
        """
        with self._lock:
            batch, self._buffer = self._buffer, []
        if batch:
            self._write(batch)

    # -- async forms ------------------------------------------------------------------------------------------
    # For the graph's nodes: inline on SQLite (a local write takes tens of microseconds), in a worker thread for a
    # database server, whose round trips must not hold up the event loop. Each raises what its sync form raises.

    async def _offload(self, call: Callable[[], _T]) -> _T:
        if self._local:
            return call()
        return await asyncio.to_thread(retry_sync, call, url=self.url, what='run store')

    async def aflush(self) -> None:
        """`flush()` for async callers."""
        await self._offload(self.flush)

    async def acreate_run(self, run_id: str, task: str, model: str, config: dict[str, Any] | None = None) -> bool:
        """`create_run()` for async callers."""
        return await self._offload(lambda: self.create_run(run_id, task, model, config))

    async def aupdate_run(self, run_id: str, **fields: Any) -> None:
        """`update_run()` for async callers."""
        await self._offload(lambda: self.update_run(run_id, **fields))

    async def atool_call(self, run_id: str, call_id: str) -> ToolCallRecord | None:
        """`tool_call()` for async callers (no I/O at all for runs this store created)."""
        if run_id in self._own_runs:
            return self.tool_call(run_id, call_id)
        return await self._offload(lambda: self.tool_call(run_id, call_id))

    async def atool_call_started(
        self, run_id: str, call_id: str, tool: str, arguments: dict[str, Any], side_effects: str
    ) -> None:
        """`tool_call_started()` for async callers."""
        await self._offload(lambda: self.tool_call_started(run_id, call_id, tool, arguments, side_effects))

    async def atool_call_finished(self, run_id: str, call_id: str, **result: Any) -> None:
        """`tool_call_finished()` for async callers."""
        await self._offload(lambda: self.tool_call_finished(run_id, call_id, **result))

    def _write(self, batch: list[tuple[Any, dict[str, Any]]]) -> None:
        # Straight to the DB-API cursor with INSERTs compiled once per table: this runs after every graph node, and
        # SQLAlchemy's per-statement machinery costs more than SQLite's commit itself.
        # A database server's transient errors are retried; a try whose COMMIT failed midway may have committed,
        # so the next one first looks for the batch's rows (each carries its own key: seq, ts) instead of
        # inserting them twice.
        by_table: dict[Any, list[dict[str, Any]]] = {}
        for table, row in batch:
            by_table.setdefault(table, []).append(row)
        if self._local:
            self._write_batch(by_table, [False])
            return
        unsure = [False]

        def attempt() -> None:
            if unsure[0] and self._batch_landed(by_table):
                return
            self._write_batch(by_table, unsure)

        retry_sync(attempt, url=self.url, what='run store write')

    def _write_batch(self, by_table: dict[Any, list[dict[str, Any]]], unsure: list[bool]) -> None:
        """One try at writing a batch; `unsure[0]` is set when its COMMIT was sent but not acknowledged."""
        with self._writer() as raw:
            try:
                cursor = raw.cursor()
                for table, rows in by_table.items():
                    sql, columns = self._insert_sql(table)
                    cursor.executemany(sql, [_params(row, columns, self._positional) for row in rows])
                cursor.close()
            except BaseException:
                if self._local:
                    raw.rollback()
                else:
                    with contextlib.suppress(Exception):  # a lost connection: its transaction is gone anyway
                        raw.rollback()
                raise
            try:
                raw.commit()
            except BaseException:
                unsure[0] = True
                if self._local:
                    raw.rollback()
                raise

    def _batch_landed(self, by_table: dict[Any, list[dict[str, Any]]]) -> bool:
        """Whether a batch (one transaction: all of it or none) is in the database, judged by one of its rows."""
        table, rows = next(((t, r) for t, r in by_table.items() if t is _STEPS), next(iter(by_table.items())))
        clauses = [table.c[k] == v for k, v in rows[0].items()
                   if k in table.c and v is not None and not isinstance(v, bytes | float)]
        with self.engine.connect() as conn:
            return conn.execute(select(literal_column('1')).select_from(table).where(*clauses).limit(1)).first() \
                is not None

    @contextmanager
    def _writer(self) -> Iterator[Any]:
        """A DB-API connection for buffered writes.

        On SQLite, one connection is kept for them (under `_write_lock`): a pool checkout and its reset on return
        cost a quarter of a small flush. Its WAL checkpoints run on a background thread (`BackgroundCheckpointer`).
        Other databases check a connection out of the pool each time.
        """
        if not self._local:
            raw = self.engine.raw_connection()
            try:
                yield raw
            except BaseException as exc:
                if is_transient(exc):
                    raw.invalidate()  # a broken connection goes back to no pool
                raise
            finally:
                raw.close()
            return
        with self._write_lock:
            if self._write_conn is None:
                self._write_conn = self.engine.raw_connection()
                database = self.engine.url.database
                if database and database != ':memory:':  # an in-memory store has no log to checkpoint
                    self._write_conn.cursor().execute(BackgroundCheckpointer.WRITER_PRAGMA)
                    self._wal = BackgroundCheckpointer(database)
            yield self._write_conn
            if self._wal is not None:
                self._wal.committed()

    def _insert_sql(self, table: Any) -> tuple[str, list[str]]:
        key = (self.engine.dialect.name, self.engine.dialect.paramstyle, table.name)
        cached = _INSERT_SQL.get(key)
        if cached is None:
            columns = [c.name for c in table.columns if not (c.primary_key and c.autoincrement is True)
                       and not (c.primary_key and c.name == 'id')]
            compiled = insert(table).values({c: None for c in columns}).compile(dialect=self.engine.dialect)
            sql = str(compiled).split(' RETURNING ')[0]  # psycopg's executemany wants no result rows
            cached = _INSERT_SQL[key] = (sql, list(compiled.positiontup or columns))
        return cached

    def _last_seq(self, run_id: str) -> int:
        with self.engine.connect() as conn:
            last = conn.execute(select(_STEPS.c.seq).where(_STEPS.c.run_id == run_id)
                                .order_by(_STEPS.c.seq.desc()).limit(1)).first()
        buffered = [int(r['seq']) for t, r in self._buffer if t is _STEPS and r['run_id'] == run_id]
        return max([-1 if last is None else int(last[0]), *buffered])

    # -- reads ------------------------------------------------------------------------------------------------
    def events(self, run_id: str) -> list[dict[str, Any]]:
        self.flush()
        with self.engine.connect() as conn:
            rows = conn.execute(select(_STEPS.c.data_json).where(_STEPS.c.run_id == run_id).order_by(_STEPS.c.seq))
            return [json.loads(r[0]) for r in rows]

    def policy_decisions(self, run_id: str) -> list[PolicyDecisionRecord]:
        self.flush()
        return self._select(PolicyDecisionRecord, _POLICY, run_id, _POLICY.c.id)

    def usage(self, run_id: str) -> list[UsageRecord]:
        self.flush()
        return self._select(UsageRecord, _USAGE, run_id, _USAGE.c.step)

    def tool_calls(self, run_id: str) -> list[ToolCallRecord]:
        self.flush()
        return self._select(ToolCallRecord, _CALLS, run_id, _CALLS.c.started_at)

    def _select(self, model: type[_R], table: Any, run_id: str, order: Any) -> list[_R]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(table).where(table.c.run_id == run_id).order_by(order))
            return [model.model_validate(dict(r._mapping)) for r in rows]

    # -- effect ledger (written through) ----------------------------------------------------------------------
    def tool_call(self, run_id: str, call_id: str) -> ToolCallRecord | None:
        """The ledger entry of a call, or `None` if it never started."""
        if run_id in self._own_runs:
            own = self._own_calls.get((run_id, call_id))
            return None if own is None else ToolCallRecord.model_validate(own)
        with self.engine.connect() as conn:
            row = conn.execute(select(_CALLS).where(_CALLS.c.run_id == run_id, _CALLS.c.call_id == call_id)).first()
        return None if row is None else ToolCallRecord.model_validate(dict(row._mapping))

    def tool_call_started(
        self, run_id: str, call_id: str, tool: str, arguments: dict[str, Any], side_effects: str
    ) -> None:
        """Mark a call as started, before it runs (so a crash mid-call is visible on resume)."""
        with self.engine.begin() as conn:
            if self._call_exists(conn, run_id, call_id):
                conn.execute(update(_CALLS).where(_CALLS.c.run_id == run_id, _CALLS.c.call_id == call_id)
                             .values(status='started', started_at=_now()))
            else:
                conn.execute(insert(_CALLS).values(run_id=run_id, call_id=call_id, tool=tool, status='started',
                                                   arguments_json=_dumps(arguments), side_effects=side_effects,
                                                   is_error=False, started_at=_now()))
        self._remember_call({'run_id': run_id, 'call_id': call_id, 'tool': tool, 'status': 'started',
                             'arguments_json': _dumps(arguments), 'side_effects': side_effects, 'is_error': False,
                             'started_at': _now()})

    def tool_call_finished(
        self,
        run_id: str,
        call_id: str,
        *,
        content: str,
        is_error: bool,
        full_output: str | None = None,
        data: dict[str, Any] | None = None,
        workspace: str | None = None,
    ) -> None:
        """Record a call's result; from now on a resume reuses it instead of running the call again.

        `workspace`: the snapshot of the workspace taken after the call, written in the same transaction (a resume
        that reuses the result restores those files).

        Raises:
            RunNotFoundError: the call was never marked started.
        """
        with self.engine.begin() as conn:
            done = conn.execute(
                update(_CALLS).where(_CALLS.c.run_id == run_id, _CALLS.c.call_id == call_id).values(
                    status='completed', content=content, is_error=is_error, full_output=full_output,
                    finished_at=_now(), data_json=None if data is None else _dumps(data), workspace=workspace))
            if done.rowcount == 0:
                raise RunNotFoundError(f'{run_id}/{call_id}')
        cached = self._own_calls.get((run_id, call_id))
        if cached is not None:
            self._remember_call({**cached, 'status': 'completed', 'content': content, 'is_error': is_error,
                                 'full_output': full_output, 'data_json': None if data is None else _dumps(data),
                                 'finished_at': _now(), 'workspace': workspace})

    def _remember_call(self, row: dict[str, Any]) -> None:
        if row['run_id'] in self._own_runs:  # validated into a ToolCallRecord only when looked up
            self._own_calls[(row['run_id'], row['call_id'])] = row

    @staticmethod
    def _call_exists(conn: Connection, run_id: str, call_id: str) -> bool:
        q = select(_CALLS.c.call_id).where(_CALLS.c.run_id == run_id, _CALLS.c.call_id == call_id)
        return conn.execute(q).first() is not None

    @property
    def blobs(self) -> WorkspaceBlobs:
        """The content-addressed blobs of workspace snapshots (`agentcore._workspace`), in this store's database."""
        if self._blobs is None:
            self._blobs = WorkspaceBlobs(self.engine)
        return self._blobs

    def close(self) -> None:
        self.flush()
        with self._write_lock:
            if self._write_conn is not None:
                if self._wal is not None:
                    self._wal.close()
                self._write_conn.close()
                self._write_conn = None
        self.engine.dispose()

    # -- run ownership and the output of running calls ---------------------------------------------------------
    def claim_run(self, run_id: str) -> None:
        """Make this process the owner of `run_id` and mark it `running` (a resume that is about to drive it).

        Raises:
            RunNotFoundError: no such run.
        """
        self.update_run(run_id, status='running', **owner_columns())

    async def aclaim_run(self, run_id: str) -> None:
        """`claim_run()` for async callers."""
        await self._offload(lambda: self.claim_run(run_id))

    def reconcile_interrupted(self) -> list[str]:
        """Mark `interrupted` every `running` run whose owning process on this host is gone; returns their ids.

        One query, then one update per run found; done once per store object (later calls return `[]`). The
        `stop_reason` says which process ended and how to continue (`agentcore resume RUN_ID`).
        """
        if getattr(self, '_reconciled', False):
            return []
        self._reconciled = True
        cols = (_RUNS.c.run_id, _RUNS.c.owner_host, _RUNS.c.owner_pid, _RUNS.c.owner_pid_start)
        with self.engine.connect() as conn:
            rows = conn.execute(select(*cols).where(_RUNS.c.status == 'running', _RUNS.c.owner_host == this_host())).all()
        gone = [r for r in rows if owner_gone(r[1], r[2], r[3])]
        for run_id, host, pid, _ in gone:
            reason = (f'interrupted: the process that ran it (pid {pid} on {host}) ended before it finished; '
                      f'continue it with `agentcore resume {run_id}`')
            with self.engine.begin() as conn:
                conn.execute(update(_RUNS).where(_RUNS.c.run_id == run_id, _RUNS.c.status == 'running')
                             .values(status='interrupted', stop_reason=reason, updated_at=_now()))
        return [r[0] for r in gone]

    async def areconcile_interrupted(self) -> list[str]:
        """`reconcile_interrupted()` for async callers."""
        if getattr(self, '_reconciled', False):
            return []
        return await self._offload(self.reconcile_interrupted)

    def tool_call_output(self, run_id: str, call_id: str, tail: str) -> None:
        """Keep `tail`, the last output a running call streamed, in its ledger row (written through)."""
        with self.engine.begin() as conn:
            conn.execute(update(_CALLS).where(_CALLS.c.run_id == run_id, _CALLS.c.call_id == call_id,
                                              _CALLS.c.status == 'started').values(output_tail=tail))
        cached = self._own_calls.get((run_id, call_id))
        if cached is not None and cached.get('status') == 'started':
            self._remember_call({**cached, 'output_tail': tail})

    async def atool_call_output(self, run_id: str, call_id: str, tail: str) -> None:
        """`tool_call_output()` for async callers."""
        await self._offload(lambda: self.tool_call_output(run_id, call_id, tail))


def _cost_columns(cost_usd: float | None) -> dict[str, Any]:
    """`cost_usd` as stored: the column is never null (stores made before unknown costs have it NOT NULL)."""
    return {'cost_usd': 0.0 if cost_usd is None else cost_usd, 'cost_known': cost_usd is not None}


def _params(row: dict[str, Any], columns: list[str], positional: bool) -> Any:
    if positional:
        return tuple(row.get(c) for c in columns)
    return {c: row.get(c) for c in columns}


def _create_schema(bind: Engine | Connection) -> None:
    """Create missing tables (the audit log's included) and columns."""
    from ..audit import _record  # noqa: F401  (the audit table joins the metadata, created here with the rest)

    SQLModel.metadata.create_all(bind)
    _add_missing_columns(bind)


def _add_missing_columns(bind: Engine | Connection) -> None:
    """Bring a store made by an older agentcore up to date (`bind`: an engine, or a connection in a transaction).

    Columns added since are nullable, so adding them is safe; nothing is ever dropped or rewritten.
    """
    from sqlalchemy import inspect, text

    engine = bind if isinstance(bind, Engine) else bind.engine
    inspector = inspect(bind)
    for table in (_RUNS, _STEPS, _CALLS, _POLICY, _USAGE):
        present = {c['name'] for c in inspector.get_columns(table.name)}
        missing = [c for c in table.columns if c.name not in present]
        if not missing:
            continue
        with engine.begin() if isinstance(bind, Engine) else contextlib.nullcontext(bind) as conn:
            for column in missing:
                kind = column.type.compile(dialect=engine.dialect)
                conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}'))


_R = TypeVar('_R', bound=SQLModel)
_RUNS: Any = RunRecord.__table__  # type: ignore[attr-defined]
_STEPS: Any = StepRecord.__table__  # type: ignore[attr-defined]
_CALLS: Any = ToolCallRecord.__table__  # type: ignore[attr-defined]
_POLICY: Any = PolicyDecisionRecord.__table__  # type: ignore[attr-defined]
_USAGE: Any = UsageRecord.__table__  # type: ignore[attr-defined]
_RUN_DEFAULTS = {'status': 'running', 'steps': 0, 'tool_calls': 0, 'input_tokens': 0, 'output_tokens': 0,
                 'cost_usd': 0.0, 'cost_known': True}
