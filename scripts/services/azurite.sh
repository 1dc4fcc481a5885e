#!/usr/bin/env bash
# Starts and stops Azurite's blob service (the Azure Storage emulator, pinned in scripts/services/azurite/package-lock.json)
# for the tests of Zarr.Storage.Azure: on 127.0.0.1 only, in memory, nothing written to disk.
#
#   scripts/services/azurite.sh start [PORT]   installs Azurite (npm ci) if missing, starts it on PORT (default: a free
#                                              port), waits until it answers and prints its connection string on stdout
#   scripts/services/azurite.sh stop           stops the Azurite this state folder started
#   scripts/services/azurite.sh status         prints the connection string when it is running; exit 1 otherwise
#
# AZURITE_STATE_DIR (default: /tmp/zarr-azurite-$UID) holds the pid, port and log; give each concurrent user its own.
# --skipApiVersionCheck: Azure.Storage.Blobs 12.30 sends a service version newer than Azurite 3.35 knows; move the
# two pins together.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PACKAGE="$HERE/azurite"
STATE="${AZURITE_STATE_DIR:-${TMPDIR:-/tmp}/zarr-azurite-$(id -u)}"
# Azurite's well-known development account (public, documented by Microsoft; it guards nothing).
ACCOUNT=devstoreaccount1
KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

fail() { echo "azurite.sh: $*" >&2; exit 1; }

connection_string() {
  echo "DefaultEndpointsProtocol=http;AccountName=$ACCOUNT;AccountKey=$KEY;BlobEndpoint=http://127.0.0.1:$1/$ACCOUNT;"
}

running() { [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();})"
}

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  command -v node >/dev/null && command -v npm >/dev/null ||
    fail "node and npm are needed to run Azurite: install them (Debian: apt-get install nodejs npm), or point ZARR_AZURE_CONNECTION_STRING at a running Azurite"
  if running; then connection_string "$(cat "$STATE/port")"; return; fi
  if [ ! -x "$PACKAGE/node_modules/.bin/azurite-blob" ]; then
    echo "azurite.sh: installing Azurite (npm ci in $PACKAGE)" >&2
    (cd "$PACKAGE" && npm ci --no-audit --no-fund --loglevel=error >&2) || fail "npm ci in $PACKAGE failed"
  fi
  mkdir -p "$STATE"
  local port="${1:-}"
  [ -n "$port" ] || port="$(free_port)"
  # setsid: its own process group, so stop ends Azurite and nothing else.
  setsid "$PACKAGE/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" --inMemoryPersistence \
    --skipApiVersionCheck --disableTelemetry --loose --silent --extentMemoryLimit 1024 \
    >"$STATE/log" 2>&1 </dev/null &
  echo $! >"$STATE/pid"
  echo "$port" >"$STATE/port"
  for _ in $(seq 1 300); do
    if answers "$port"; then connection_string "$port"; return; fi
    running || fail "Azurite exited at start: $(tail -5 "$STATE/log")"
    sleep 0.1
  done
  stop
  fail "Azurite did not answer on 127.0.0.1:$port within 30 s"
}

stop() {
  if running; then
    local pid; pid="$(cat "$STATE/pid")"
    kill -- -"$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 -- -"$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/pid" "$STATE/port"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) running && connection_string "$(cat "$STATE/port")" || exit 1 ;;
  *) echo "usage: $0 start [PORT] | stop | status" >&2; exit 2 ;;
esac
