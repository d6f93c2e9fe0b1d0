"""Start and stop a real Weaviate server process for the integration tests (no Docker needed)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from agentcore.memory._weaviate_connect import cached_server_binary, free_ports


def is_ready(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f'{url}/v1/.well-known/ready', timeout=timeout) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


class WeaviateServer:
    """One `weaviate-server` child process on free loopback ports with its own data directory."""

    def __init__(self, binary: Path, data_dir: Path) -> None:
        self.binary = binary
        self.data_dir = data_dir
        self.http_port, self.grpc_port, self.profiling_port, gossip, data, raft, raft_rpc = free_ports(3)
        self._cluster = (gossip, data, raft, raft_rpc)
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def from_cache(cls, data_dir: Path) -> WeaviateServer:
        binary = cached_server_binary()
        if binary is None:
            raise RuntimeError(
                'no cached weaviate-server binary: run `bash .ci/services/weaviate.sh` (builds it with Go and starts a '
                'server), then export AGENTCORE_TEST_WEAVIATE_URL=http://127.0.0.1:8079 '
                'AGENTCORE_TEST_WEAVIATE_GRPC_PORT=50051; or deselect with -m "not weaviate"'
            )
        return cls(binary, data_dir)

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.http_port}'

    def start(self, timeout: float = 60.0) -> None:
        gossip, data, raft, raft_rpc = self._cluster
        env = dict(
            os.environ,
            PERSISTENCE_DATA_PATH=str(self.data_dir), DISABLE_TELEMETRY='true',
            AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED='true', DEFAULT_VECTORIZER_MODULE='none',
            USE_INVERTED_SEARCHABLE='false',
            CLUSTER_HOSTNAME='node1', CLUSTER_IN_LOCALHOST='true', CLUSTER_BIND_ADDR='127.0.0.1',
            CLUSTER_ADVERTISE_ADDR='127.0.0.1', CLUSTER_GOSSIP_BIND_PORT=str(gossip), CLUSTER_DATA_BIND_PORT=str(data),
            RAFT_PORT=str(raft), RAFT_INTERNAL_RPC_PORT=str(raft_rpc), RAFT_JOIN=f'node1:{raft}',
            RAFT_BOOTSTRAP_EXPECT='1', GO_PROFILING_PORT=str(self.profiling_port), GRPC_PORT=str(self.grpc_port),
            LOG_LEVEL='warning',
        )  # fmt: skip
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / 'weaviate.log').open('ab')
        self.proc = subprocess.Popen(
            [str(self.binary), '--host', '127.0.0.1', '--port', str(self.http_port), '--scheme', 'http'],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if is_ready(self.url, timeout=1.0):
                return
            if self.proc.poll() is not None:
                tail = (self.data_dir / 'weaviate.log').read_text(errors='replace')[-2000:]
                raise RuntimeError(f'weaviate-server exited with {self.proc.returncode} during startup:\n{tail}')
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f'weaviate-server did not become ready within {timeout}s (log in {self.data_dir})')

    def kill(self) -> None:
        """Simulate a crash: SIGKILL, no graceful shutdown."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self.proc = None
