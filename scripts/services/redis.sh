#!/usr/bin/env bash
# Starts and stops a Redis server (Debian's redis-server) for the cluster's membership (Zarr.Dataflow.Orleans): on
# 127.0.0.1 only, nothing saved to disk.
#
#   scripts/services/redis.sh start [PORT]   starts redis-server on PORT (default: a free port), waits until it answers
#                                            and prints its address on stdout: redis://127.0.0.1:PORT
#   scripts/services/redis.sh stop           stops the server this state folder started
#   scripts/services/redis.sh status         prints the address when it is running; exit 1 otherwise
#
# REDIS_STATE_DIR (default: /tmp/zarr-redis-$UID) holds the pid, port and log; give each concurrent user its own.
set -euo pipefail
STATE="${REDIS_STATE_DIR:-${TMPDIR:-/tmp}/zarr-redis-$(id -u)}"

fail() { echo "redis.sh: $*" >&2; exit 1; }

running() { [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; }

free_port() {
  # Bash cannot bind a port: ask the kernel for a free one through python3 (always on Debian with the test peers).
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

answers() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

start() {
  command -v redis-server >/dev/null || fail "redis-server is needed: install it (Debian: apt-get install redis-server)"
  if running; then echo "redis://127.0.0.1:$(cat "$STATE/port")"; return; fi
  mkdir -p "$STATE"
  local port="${1:-$(free_port)}"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --pidfile "$STATE/pid" --logfile "$STATE/log" --dir "$STATE" >/dev/null
  echo "$port" > "$STATE/port"
  for _ in $(seq 1 100); do
    if answers "$port"; then echo "redis://127.0.0.1:$port"; return; fi
    sleep 0.1
  done
  fail "redis-server did not answer on 127.0.0.1:$port (log: $STATE/log)"
}

stop() {
  if running; then
    kill "$(cat "$STATE/pid")"
    for _ in $(seq 1 50); do running || break; sleep 0.1; done
  fi
  rm -rf "$STATE"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) running && echo "redis://127.0.0.1:$(cat "$STATE/port")" || exit 1 ;;
  *) echo "usage: $0 start [PORT] | stop | status" >&2; exit 2 ;;
esac
