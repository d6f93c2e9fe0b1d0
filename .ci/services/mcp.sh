#!/usr/bin/env bash
# Install (if missing) the real third-party MCP servers the tests run: the PyPI package mcp-server-time (into the
# project's Python: `python3 -m mcp_server_time`) and the npm package @modelcontextprotocol/server-filesystem (into
# ${XDG_CACHE_HOME:-$HOME/.cache}/agentcore/npm: `node .../dist/index.js ROOT`).
#
# Idempotent: each is installed only when the pinned version is not there yet. Prints the filesystem server's entry
# point on stdout (one line) and nothing else there; progress goes to stderr. The tests find it at that default
# path, or at AGENTCORE_TEST_MCP_FILESYSTEM.
set -euo pipefail

# mcp-server-time 2026.8.18 is the last release on the mcp 1.x SDK (later ones need mcp>=2.3).
time_version=2026.8.18
fs_version=2026.8.31
npm_dir="${XDG_CACHE_HOME:-$HOME/.cache}/agentcore/npm"
fs_package="${npm_dir}/node_modules/@modelcontextprotocol/server-filesystem"
fs_entry="${fs_package}/dist/index.js"

log() { echo "mcp.sh: $*" >&2; }

installed_time=$(python3 -c 'from importlib.metadata import version as v; print(v("mcp-server-time"))' 2>/dev/null ||
    true)
if [[ "${installed_time}" != "${time_version}" ]]; then
    log "installing mcp-server-time==${time_version}"
    python3 -m pip install -q --disable-pip-version-check "mcp-server-time==${time_version}" 2>&1 |
        grep -v 'Running pip as the .root. user' >&2 || true
fi
python3 -c 'import mcp_server_time' >/dev/null

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log 'installing Node.js and npm (Debian packages)'
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

installed_fs=$(node -p "require('${fs_package}/package.json').version" 2>/dev/null || true)
if [[ "${installed_fs}" != "${fs_version}" || ! -f "${fs_entry}" ]]; then
    mkdir -p "${npm_dir}"
    log "installing @modelcontextprotocol/server-filesystem@${fs_version} into ${npm_dir}"
    # flock keeps two concurrent callers from installing into the same folder at once.
    (
        flock 9
        npm install --prefix "${npm_dir}" --no-audit --no-fund --omit=dev --loglevel=error \
            "@modelcontextprotocol/server-filesystem@${fs_version}" >&2
    ) 9>"${npm_dir}.lock"
fi
[[ -f "${fs_entry}" ]] || { log "error: ${fs_entry} is missing after the install"; exit 1; }
log "ready: python3 -m mcp_server_time (${time_version}); node ${fs_entry} ROOT (${fs_version})"
echo "${fs_entry}"
