"""Connecting to Weaviate (URL, cloud or embedded) and turning client errors into memory errors."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._errors import MemoryBackendError, MemoryError_, MemoryUnavailableError

__all__ = [
    'WEAVIATE_VERSION',
    'cached_server_binary',
    'client_addresses',
    'connect_embedded',
    'connect_url',
    'free_ports',
    'probe',
    'translate_errors',
]

#: The server version the project builds and tests against.
WEAVIATE_VERSION = '1.35.2'

_UNAVAILABLE_MARKERS = (
    'unavailable', 'connection refused', 'failed to connect', 'deadline exceeded', 'connecterror', 'connection reset',
    'timed out', 'timeout', 'socket closed', 'connection aborted', 'broken pipe', 'stream removed',
)  # fmt: skip


def cached_server_binary(version: str = WEAVIATE_VERSION) -> Path | None:
    """The `weaviate-server` that `.ci/services/weaviate.sh` builds, if it is in the cache."""
    cache = Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache')
    binary = cache / 'agentcore' / f'weaviate-{version}' / 'weaviate-server'
    return binary if binary.is_file() and os.access(binary, os.X_OK) else None


def _config(timeout: float) -> Any:
    from weaviate.classes.init import AdditionalConfig, GrpcConfig, Timeout

    # Reconnect quickly once a restarted server is back (gRPC's default backoff grows to two minutes).
    backoff = [('grpc.initial_reconnect_backoff_ms', 250), ('grpc.min_reconnect_backoff_ms', 250),
               ('grpc.max_reconnect_backoff_ms', 2000)]  # fmt: skip
    return AdditionalConfig(
        timeout=Timeout(init=min(timeout, 10.0), query=timeout, insert=max(timeout, 60.0)),
        grpc_config=GrpcConfig(channel_options=backoff),
    )


def client_addresses(client: Any) -> list[tuple[str, int]]:
    """The (host, port) of the client's HTTP and gRPC endpoints, or [] when they cannot be read."""
    try:
        params = client._connection._connection_params
        found = [(params.http.host, int(params.http.port)), (params.grpc.host, int(params.grpc.port))]
    except (AttributeError, TypeError, ValueError):
        return []
    return list(dict.fromkeys(found))


def probe(addresses: list[tuple[str, int]], timeout: float) -> None:
    """Raise `MemoryUnavailableError` unless every address accepts a TCP connection within `timeout` seconds.

    The client retries an unavailable server with exponential backoff for about a minute; this check makes a
    server that is down fail in milliseconds (refused) or `timeout` (unreachable) instead.
    """
    for host, port in addresses:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                pass
        except OSError as exc:
            raise MemoryUnavailableError(
                f'Weaviate at {host}:{port} is unreachable: {exc.strerror or exc}',
                hint='check that the Weaviate server is running and reachable; continue without recall meanwhile',
            ) from exc


def connect_url(url: str, *, grpc_port: int | None = None, api_key: str | None = None, timeout: float = 15.0) -> Any:
    """Connect the sync client to `url` (`http(s)://host[:port]`); gRPC on the same host at `grpc_port`.

    Defaults: `grpc_port` from `AGENTCORE_WEAVIATE_GRPC_PORT`, else 50051 (443 for https); `api_key` from
    `AGENTCORE_WEAVIATE_API_KEY`. An `https://` URL to a `*.weaviate.cloud` host uses the cloud connection.

    Raises:
        ValueError: The URL is not http(s) with a host.
        MemoryUnavailableError: The server cannot be reached or is not ready.
    """
    import weaviate
    from weaviate.classes.init import Auth

    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ValueError(f'Weaviate URL must look like http://host:8080 or https://host, got {url!r}')
    secure = parts.scheme == 'https'
    api_key = api_key or os.environ.get('AGENTCORE_WEAVIATE_API_KEY') or None
    auth = Auth.api_key(api_key) if api_key else None
    env_grpc = os.environ.get('AGENTCORE_WEAVIATE_GRPC_PORT')
    grpc = grpc_port or (int(env_grpc) if env_grpc else (443 if secure else 50051))
    with translate_errors(f'connecting to Weaviate at {url}'):
        if secure and auth is not None and parts.hostname.endswith('.weaviate.cloud'):
            return weaviate.connect_to_weaviate_cloud(url, auth, additional_config=_config(timeout))
        return weaviate.connect_to_custom(
            http_host=parts.hostname, http_port=parts.port or (443 if secure else 80), http_secure=secure,
            grpc_host=parts.hostname, grpc_port=grpc, grpc_secure=secure, auth_credentials=auth,
            additional_config=_config(timeout),
        )  # fmt: skip


def _hold(stack: ExitStack, port: int = 0) -> int:
    sock = stack.enter_context(socket.socket())
    sock.bind(('127.0.0.1', port))
    return int(sock.getsockname()[1])


def free_ports(count: int) -> list[int]:
    """`count` distinct free loopback ports, followed by two pairs of consecutive ones.

    Weaviate needs its cluster data port right after the gossip port and its Raft RPC port right after the Raft
    port. The ports are free when chosen, not reserved.

    Raises:
        MemoryUnavailableError: No two consecutive free ports were found.
    """
    with ExitStack() as stack:
        ports = [_hold(stack) for _ in range(count)]
        for _ in range(2):
            for _attempt in range(100):
                first = _hold(stack)
                try:
                    ports += [first, _hold(stack, first + 1)]
                    break
                except OSError:
                    continue
            else:
                raise MemoryUnavailableError('found no two consecutive free ports for Weaviate')
        return ports


def connect_embedded(
    data_path: str | Path,
    *,
    binary: str | Path | None = None,
    version: str = WEAVIATE_VERSION,
    port: int | None = None,
    grpc_port: int | None = None,
    timeout: float = 15.0,
) -> Any:
    """Start Weaviate as a child process (the client's embedded mode) and connect to it.

    The server binary is `binary`, else the one `.ci/services/weaviate.sh` cached, else the client downloads the
    release (which needs internet access). The process stops when the client is closed. It shares this process's
    stderr and logs only fatal errors there (`AGENTCORE_WEAVIATE_LOG_LEVEL=warning` shows more).

    Raises:
        MemoryUnavailableError: The server could not be started or reached.
    """
    import weaviate

    data = Path(data_path).expanduser()
    bin_dir = data / '.bin'
    bin_dir.mkdir(parents=True, exist_ok=True)
    source = Path(binary) if binary else cached_server_binary(version)
    if source is not None:
        if not source.is_file():
            raise MemoryUnavailableError(f'Weaviate server binary {source} does not exist', hint='build it with '
                                         'bash .ci/services/weaviate.sh, or pass binary=')  # fmt: skip
        # The client looks for weaviate-v<version>-<sha256 of the tag> in its binary dir before downloading.
        tag = f'v{version}'
        target = bin_dir / f'weaviate-{tag}-{hashlib.sha256(tag.encode()).hexdigest()}'
        if target.resolve() != source.resolve():
            target.unlink(missing_ok=True)
            target.symlink_to(source.resolve())
    http, grpc, profiling, gossip, cluster_data, raft, raft_rpc = free_ports(3)
    # A fixed node name: Raft keeps it in the data directory, and the client's default embeds the (random) port,
    # which would leave a restarted server unable to rejoin its own single-node cluster. The classic BM25 index:
    # BlockMax-WAND in 1.35 drops unflushed documents from keyword results (weaviate/weaviate#11780, #12022).
    env = {
        'CLUSTER_HOSTNAME': 'node1', 'CLUSTER_BIND_ADDR': '127.0.0.1', 'CLUSTER_ADVERTISE_ADDR': '127.0.0.1',
        'CLUSTER_GOSSIP_BIND_PORT': str(gossip), 'CLUSTER_DATA_BIND_PORT': str(cluster_data),
        'RAFT_PORT': str(raft), 'RAFT_INTERNAL_RPC_PORT': str(raft_rpc), 'RAFT_JOIN': f'node1:{raft}',
        'GO_PROFILING_PORT': str(profiling), 'DISABLE_TELEMETRY': 'true', 'ENABLE_MODULES': '',
        'DEFAULT_VECTORIZER_MODULE': 'none', 'USE_INVERTED_SEARCHABLE': 'false',
        'LOG_LEVEL': os.environ.get('AGENTCORE_WEAVIATE_LOG_LEVEL', 'fatal'),
    }  # fmt: skip
    with translate_errors(f'starting embedded Weaviate in {data}'):
        return weaviate.connect_to_embedded(
            hostname='127.0.0.1', port=port or http, grpc_port=grpc_port or grpc, version=version,
            persistence_data_path=str(data), binary_path=str(bin_dir), environment_variables=env,
            additional_config=_config(timeout),
        )  # fmt: skip


def _is_unavailable(exc: BaseException) -> bool:
    from weaviate import exceptions as wx

    if isinstance(
        exc,
        wx.WeaviateConnectionError | wx.WeaviateTimeoutError | wx.WeaviateGRPCUnavailableError
        | wx.WeaviateClosedClientError | wx.WeaviateRetryError | wx.WeaviateStartUpError | ConnectionError
        | TimeoutError,
    ):  # fmt: skip
        return True
    if isinstance(exc, wx.UnexpectedStatusCodeError):
        return exc.status_code in (502, 503, 504)
    text = f'{type(exc).__name__} {exc}'.lower()
    return any(marker in text for marker in _UNAVAILABLE_MARKERS)


@contextmanager
def translate_errors(action: str) -> Iterator[None]:
    """Re-raise client and transport errors as `MemoryUnavailableError` or `MemoryBackendError`."""
    try:
        yield
    except MemoryError_:
        raise
    except Exception as exc:
        import httpx
        from weaviate.exceptions import WeaviateBaseError

        known = isinstance(exc, WeaviateBaseError | httpx.HTTPError | OSError) or type(exc).__module__.startswith(
            'grpc'
        )
        if not known:
            raise
        detail = ' '.join(str(exc).split())[:300]
        if _is_unavailable(exc):
            raise MemoryUnavailableError(
                f'Weaviate is unavailable while {action}: {detail}',
                hint='check that the Weaviate server is running and reachable; continue without recall meanwhile',
            ) from exc
        raise MemoryBackendError(f'Weaviate failed while {action}: {detail}') from exc
