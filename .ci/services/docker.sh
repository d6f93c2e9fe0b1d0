#!/usr/bin/env bash
# Make sure a Docker engine is installed and running (idempotent; safe to call on every CI run).
#   - installs docker.io and debootstrap with apt-get when dockerd is missing;
#   - starts dockerd in the background when nothing answers on the socket, and waits for it.
set -euo pipefail

SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
    echo "docker.sh: installing docker.io and debootstrap" >&2
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y docker.io debootstrap
fi

engine_up() { docker -H "unix://$SOCK" version >/dev/null 2>&1; }

if engine_up; then
    exit 0
fi

dockerd_running() {
    local pid
    pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    [ -n "$pid" ] && [ -d "/proc/$pid" ] && grep -q dockerd "/proc/$pid/comm" 2>/dev/null
}

if ! dockerd_running; then
    if [ -S "$SOCK" ]; then
        echo "docker.sh: removing stale socket $SOCK" >&2
        $SUDO rm -f "$SOCK"
    fi
    echo "docker.sh: starting dockerd (log: $LOG)" >&2
    $SUDO sh -c "nohup dockerd >>'$LOG' 2>&1 &"
fi

for _ in $(seq 1 120); do
    if [ -S "$SOCK" ] && engine_up; then
        echo "docker.sh: engine is up" >&2
        exit 0
    fi
    sleep 0.5
done
echo "docker.sh: dockerd did not come up within 60s; last log lines:" >&2
tail -n 20 "$LOG" >&2 || true
exit 1
