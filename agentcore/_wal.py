"""Moving SQLite's WAL checkpoints, and the fsyncs they make, off the thread that writes."""

from __future__ import annotations

import sqlite3
import threading


class BackgroundCheckpointer:
    """Runs `PRAGMA wal_checkpoint(PASSIVE)` on its own connection and thread, every `every` commits.

    A SQLite database in WAL mode copies its log back into the database file once the log passes 1000 pages, on the
    thread of whichever commit crossed the line, and with `synchronous=NORMAL` that copy is where the fsyncs are: a
    few milliseconds, every hundred or so small commits. The writers here turn that off (`wal_autocheckpoint=0`,
    see `WRITER_PRAGMA`) and call `committed()` after each commit; a daemon thread does the copying. A passive
    checkpoint never blocks a writer. If the thread cannot keep up (or the process ends first), the log only grows
    until the next checkpoint or the last connection's close: nothing written is lost.

    Args:
        path: the database file.
        every: commits between two checkpoints.
        idle_s: the thread ends after this long without work (the next checkpoint starts a new one).
    """

    #: Run on each writing connection.
    WRITER_PRAGMA = 'PRAGMA wal_autocheckpoint=0'

    def __init__(self, path: str, *, every: int = 100, idle_s: float = 30.0) -> None:
        self.path = path
        self.every = every
        self.idle_s = idle_s
        self._commits = 0
        self._wake = threading.Event()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def committed(self) -> None:
        """Count one commit; every `every` commits, wake the checkpoint thread (started on first use)."""
        self._commits += 1
        if self._commits % self.every:
            return
        with self._lock:
            if self._stop:
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name='agentcore-wal-checkpoint', daemon=True)
                self._thread.start()
            self._wake.set()  # under the lock: an idle thread deciding to end sees it

    def close(self) -> None:
        """Stop the thread (after its current checkpoint, if any)."""
        with self._lock:
            self._stop = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False)
        except sqlite3.Error:
            return  # the writers' commits still work; the log is checkpointed when they close
        try:
            conn.execute('PRAGMA busy_timeout=1000')
            while True:
                if not self._wake.wait(self.idle_s):
                    with self._lock:
                        if not self._wake.is_set():  # idle: end; `committed` starts a new thread when needed
                            self._thread = None
                            return
                self._wake.clear()
                if self._stop:
                    return
                try:
                    conn.execute('PRAGMA wal_checkpoint(PASSIVE)')
                except sqlite3.Error:
                    continue  # busy or locked: the next wake-up tries again
        finally:
            conn.close()
