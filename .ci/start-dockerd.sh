#!/usr/bin/env bash
# Bring up a local Docker engine for the sandbox tests and build the sandbox image.
# Idempotent: installs docker.io if dockerd is missing, starts dockerd in the background
# if `docker info` fails, waits (bounded) until it answers, builds blueberry-sandbox:latest
# if it is missing (not with --engine-only). Exits non-zero with one clear line when it cannot.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"
LOG="${DOCKERD_LOG:-/tmp/blueberry-dockerd.log}"
PIDFILE="/tmp/blueberry-dockerd.pid"
IMAGE="${BLUEBERRY_SANDBOX_IMAGE:-blueberry-sandbox:latest}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"

fail() { echo "start-dockerd: $*" >&2; exit 1; }

if ! command -v dockerd >/dev/null 2>&1; then
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker.io; } \
        >"$LOG.apt" 2>&1 || fail "could not install docker.io with apt-get (see $LOG.apt)"
fi

wait_for_engine() {
    local i
    for i in $(seq 1 "$1"); do
        docker info >/dev/null 2>&1 && return 0
        sleep 1
    done
    return 1
}

if ! docker info >/dev/null 2>&1; then
    # No bridge and no iptables: sandbox containers run with network_mode=none anyway.
    $SUDO sh -c "nohup dockerd --iptables=false --bridge=none --storage-driver=overlay2 \
        >'$LOG' 2>&1 & echo \$! >'$PIDFILE'"
    if ! wait_for_engine 30; then
        # Stop only the dockerd this script started, by its pid, before trying vfs.
        [ -s "$PIDFILE" ] && $SUDO kill "$(cat "$PIDFILE")" 2>/dev/null
        sleep 2
        $SUDO sh -c "nohup dockerd --iptables=false --bridge=none --storage-driver=vfs \
            >'$LOG' 2>&1 & echo \$! >'$PIDFILE'"
        wait_for_engine 30 || fail "dockerd did not answer within 60 s with overlay2 or vfs (see $LOG)"
    fi
fi

if [ "${1:-}" = "--engine-only" ]; then
    echo "start-dockerd: engine up"
    exit 0
fi

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
    (cd "$ROOT" && "$PY" -m tracer.sandbox.image --tag "$IMAGE") >"$LOG.image" 2>&1 \
        || fail "could not build $IMAGE (see $LOG.image)"
fi
echo "start-dockerd: engine up, image $IMAGE present"
