#!/usr/bin/env bash
# Make sure the sandbox image exists (idempotent). Builds it with `agentcore sandbox build`: from the Dockerfile
# where a registry is reachable, otherwise offline (debootstrap + docker import), caching the rootfs tarball under
# ${XDG_CACHE_HOME:-$HOME/.cache}/agentcore so a warm machine only re-imports it.
set -euo pipefail

cd "$(dirname "$0")/../.."
bash .ci/services/docker.sh

IMAGE=${AGENTCORE_SANDBOX_IMAGE:-agentcore-sandbox:latest}
PYTHON=${PYTHON:-python}

if command -v agentcore >/dev/null 2>&1; then
    agentcore sandbox build --tag "$IMAGE"
else
    "$PYTHON" -c 'from agentcore.cli import main; main()' sandbox build --tag "$IMAGE"
fi
