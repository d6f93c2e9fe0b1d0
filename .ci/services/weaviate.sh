#!/usr/bin/env bash
# Build (once) and start a local Weaviate server for the memory integration tests.
#
# Idempotent: the binary is built with `go install` only when it is not in the cache yet, and a server that already
# answers on the chosen port is reused. Prints the server's URL on stdout (one line) and nothing else there; the
# gRPC port and the log path go to stderr. Exports nothing: callers set, for example,
#   AGENTCORE_TEST_WEAVIATE_URL=$(bash .ci/services/weaviate.sh)
#   AGENTCORE_TEST_WEAVIATE_GRPC_PORT=50051
#
# USE_INVERTED_SEARCHABLE=false: 1.35's BlockMax-WAND BM25 drops recently inserted (memtable) documents from
# multi-term keyword results (weaviate/weaviate#11780, #12022); the classic WAND index ranks them correctly.
#
# Knobs (environment): AGENTCORE_WEAVIATE_PORT (HTTP, default 8079), AGENTCORE_WEAVIATE_GRPC_PORT (default 50051),
# AGENTCORE_WEAVIATE_DATA (data dir, default a fresh temp dir), XDG_CACHE_HOME / HOME (binary cache).
set -euo pipefail

version=1.35.2
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/agentcore/weaviate-${version}"
binary="${cache_dir}/weaviate-server"
http_port="${AGENTCORE_WEAVIATE_PORT:-8079}"
grpc_port="${AGENTCORE_WEAVIATE_GRPC_PORT:-50051}"
url="http://127.0.0.1:${http_port}"

log() { echo "weaviate.sh: $*" >&2; }

ready() { curl -fsS --max-time 2 "${url}/v1/.well-known/ready" >/dev/null 2>&1; }

if ready; then
    log "already running at ${url} (gRPC port ${grpc_port})"
    echo "${url}"
    exit 0
fi

mkdir -p "${cache_dir}"
if [[ ! -x "${binary}" ]]; then
    command -v go >/dev/null || { log "error: Go is needed to build Weaviate ${version} (install Go >= 1.24)"; exit 1; }
    log "building weaviate-server ${version} into ${cache_dir} (several minutes, once)"
    # flock keeps two concurrent callers from building at the same time.
    (
        flock 9
        if [[ ! -x "${binary}" ]]; then
            GOBIN="${cache_dir}" GOFLAGS="${GOFLAGS:-} -trimpath" \
                go install "github.com/weaviate/weaviate/cmd/weaviate-server@v${version}" >&2
        fi
    ) 9>"${cache_dir}/.build.lock"
fi

for port in "${http_port}" "${grpc_port}"; do
    if (echo >"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
        log "error: port ${port} is taken by something that is not a ready Weaviate (set AGENTCORE_WEAVIATE_PORT / AGENTCORE_WEAVIATE_GRPC_PORT)"
        exit 1
    fi
done

# Gossip/data and Raft/Raft-RPC must be consecutive pairs; all must be free.
read -r gossip data raft raft_rpc profiling < <(python3 - <<'EOF'
import socket
from contextlib import ExitStack

def hold(stack, port=0):
    s = stack.enter_context(socket.socket())
    s.bind(('127.0.0.1', port))
    return s.getsockname()[1]

def pair(stack):
    for _ in range(100):
        first = hold(stack)
        try:
            return first, hold(stack, first + 1)
        except OSError:
            continue
    raise SystemExit('no two consecutive free ports')

with ExitStack() as stack:
    print(*pair(stack), *pair(stack), hold(stack))
EOF
)

data_dir="${AGENTCORE_WEAVIATE_DATA:-$(mktemp -d -t agentcore-weaviate.XXXXXX)}"
mkdir -p "${data_dir}"
log_file="${data_dir}/weaviate.log"

env PERSISTENCE_DATA_PATH="${data_dir}" \
    DISABLE_TELEMETRY=true \
    AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true \
    DEFAULT_VECTORIZER_MODULE=none \
    USE_INVERTED_SEARCHABLE=false \
    CLUSTER_HOSTNAME=node1 \
    CLUSTER_IN_LOCALHOST=true \
    CLUSTER_BIND_ADDR=127.0.0.1 \
    CLUSTER_ADVERTISE_ADDR=127.0.0.1 \
    CLUSTER_GOSSIP_BIND_PORT="${gossip}" \
    CLUSTER_DATA_BIND_PORT="${data}" \
    RAFT_PORT="${raft}" \
    RAFT_INTERNAL_RPC_PORT="${raft_rpc}" \
    RAFT_JOIN="node1:${raft}" \
    RAFT_BOOTSTRAP_EXPECT=1 \
    GO_PROFILING_PORT="${profiling}" \
    GRPC_PORT="${grpc_port}" \
    LOG_LEVEL=warning \
    setsid nohup "${binary}" --host 127.0.0.1 --port "${http_port}" --scheme http >"${log_file}" 2>&1 &
pid=$!
echo "${pid}" >"${data_dir}/weaviate.pid"

for _ in $(seq 1 120); do
    if ready; then
        log "started pid ${pid} at ${url} (gRPC port ${grpc_port}, data ${data_dir}, log ${log_file})"
        echo "${url}"
        exit 0
    fi
    if ! kill -0 "${pid}" 2>/dev/null; then
        log "error: weaviate-server exited during startup; last lines of ${log_file}:"
        tail -n 20 "${log_file}" >&2
        exit 1
    fi
    sleep 0.5
done
log "error: weaviate-server did not become ready within 60s; see ${log_file}"
exit 1
