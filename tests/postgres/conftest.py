"""PostgreSQL fixtures: a fresh empty database on the test server, and a throwaway cluster of the test's own."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get('AGENTCORE_TEST_PG_BIN', '/usr/lib/postgresql/15/bin'))


@dataclass
class FreshDatabase:
    """An empty database: `url` for the checkpointer (psycopg), `store_url` for the run store (SQLAlchemy)."""

    url: str
    store_url: str


@pytest.fixture
def fresh_database(postgres_url: str) -> Iterator[FreshDatabase]:
    """A database created empty for the test on the test server, dropped after it."""
    import psycopg

    name = f'agentcore_fresh_{uuid.uuid4().hex[:12]}'
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE {name}')
    base = postgres_url.rsplit('/', 1)[0]
    yield FreshDatabase(url=f'{base}/{name}', store_url=f'{base.replace("postgresql://", "postgresql+psycopg://")}/{name}')
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')


@dataclass
class Cluster:
    """A PostgreSQL cluster of the test's own, on a free loopback port, that the test may stop and start."""

    data: Path
    port: int
    as_postgres: bool

    @property
    def url(self) -> str:
        return f'postgresql://agentcore@127.0.0.1:{self.port}/postgres'

    @property
    def store_url(self) -> str:
        return self.url.replace('postgresql://', 'postgresql+psycopg://')

    def pg_ctl(self, *args: str) -> None:
        self._run(str(PG_BIN / 'pg_ctl'), '-D', str(self.data / 'db'), *args)

    def start(self) -> None:
        self.pg_ctl('-l', str(self.data / 'log'), '-w', '-t', '60', '-o',
                    f'-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off', 'start')

    def stop(self, mode: str = 'fast') -> None:
        self.pg_ctl('-m', mode, '-w', '-t', '60', 'stop')

    def _run(self, *cmd: str) -> None:
        if self.as_postgres:  # initdb and postgres refuse to run as root
            cmd = ('runuser', '-u', 'postgres', '--', *cmd)
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


@pytest.fixture
def own_cluster() -> Iterator[Cluster]:
    """initdb + pg_ctl from `PG_BIN`, as the `postgres` user when the tests run as root; torn down after the test.

    The data directory is made under the system temp directory, not `tmp_path`: pytest makes that readable by its
    own user only, and the server may run as another.
    """
    if not (PG_BIN / 'initdb').exists():
        pytest.fail(f'no {PG_BIN / "initdb"}: install PostgreSQL 15 (`bash .ci/services/postgres.sh`)')
    as_postgres = os.geteuid() == 0
    data = Path(tempfile.mkdtemp(prefix='agentcore-pg-'))
    if as_postgres:
        shutil.chown(data, 'postgres', 'postgres')
    cluster = Cluster(data=data, port=_free_port(), as_postgres=as_postgres)
    try:
        cluster._run(str(PG_BIN / 'initdb'), '-D', str(data / 'db'), '-U', 'agentcore', '--auth=trust', '-E', 'UTF8')
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop('immediate')
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(data, ignore_errors=True)
