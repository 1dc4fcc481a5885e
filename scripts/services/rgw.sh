#!/usr/bin/env bash
# A single-node Ceph RGW (a real, production S3) for the tests, on 127.0.0.1 only, its data in RAM (memstore):
#   scripts/services/rgw.sh start   starts mon + osd + radosgw in a temp folder, creates the test user and a warm-up
#                                   bucket, writes the endpoint and keys to the state file and prints them (as `env`)
#   scripts/services/rgw.sh env     prints `export ZARR_S3_...` lines for a running server (exit 1 when none runs)
#   scripts/services/rgw.sh stop    stops the server this script started and removes its folder
# Needs Debian's radosgw ceph-mon ceph-osd (apt-get install radosgw ceph-mon ceph-osd, or ./build.sh test).
# Ports: ZARR_RGW_PORT (S3, default 7480), ZARR_RGW_MON_PORT (default 6789). State: ZARR_RGW_STATE (default
# ${TMPDIR:-/tmp}/zarr-rgw-$UID.env); ZARR_RGW_KEEP=1 keeps the server's folder (logs) at stop. The keys are fixed test keys: this server holds nothing but test data.
set -euo pipefail

PORT="${ZARR_RGW_PORT:-7480}"
MON_PORT="${ZARR_RGW_MON_PORT:-6789}"
STATE="${ZARR_RGW_STATE:-${TMPDIR:-/tmp}/zarr-rgw-$(id -u).env}"
ACCESS_KEY=zarrtestaccess
SECRET_KEY=zarrtestsecret0123456789
REGION=us-east-1

die() { echo "rgw.sh: $*" >&2; exit 1; }

print_env() {
  # shellcheck disable=SC1090
  . "$STATE"
  echo "export ZARR_S3_ENDPOINT=$ZARR_S3_ENDPOINT"
  echo "export ZARR_S3_ACCESS_KEY=$ZARR_S3_ACCESS_KEY"
  echo "export ZARR_S3_SECRET_KEY=$ZARR_S3_SECRET_KEY"
  echo "export ZARR_S3_REGION=$ZARR_S3_REGION"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A start that fails once the daemons run: the last lines of each one's logs on stderr, since stop removes the folder
# they are in, then stop, then the reason.
fail_started() {
  local f
  for f in "$1"/log/*; do
    [ -s "$f" ] || continue
    echo "rgw.sh: --- last lines of $f" >&2
    tail -n 15 "$f" >&2 || true
  done
  stop
  die "$2 (the logs' last lines above)"
}

running() {
  [ -f "$STATE" ] || return 1
  # shellcheck disable=SC1090
  . "$STATE"
  kill -0 "$RGW_PID" 2>/dev/null && port_open "$RGW_PORT"
}

stop() {
  [ -f "$STATE" ] || return 0
  # shellcheck disable=SC1090
  . "$STATE"
  for pid in ${RGW_PID:-} ${OSD_PID:-} ${MON_PID:-}; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in ${RGW_PID:-} ${OSD_PID:-} ${MON_PID:-}; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  [ -n "${ZARR_RGW_KEEP:-}" ] || case "${RGW_DIR:-}" in */zarr-rgw.*) rm -rf "$RGW_DIR" ;; esac
  rm -f "$STATE"
}

start() {
  if running; then print_env; return 0; fi
  stop
  for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool ceph; do
    command -v "$tool" >/dev/null || die "$tool is missing: apt-get install radosgw ceph-mon ceph-osd (or ./build.sh test)"
  done
  port_open "$PORT" && die "port $PORT is taken (set ZARR_RGW_PORT)"
  local dir fsid
  dir="$(mktemp -d "${TMPDIR:-/tmp}/zarr-rgw.XXXXXX")"
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  mkdir -p "$dir/mon" "$dir/osd" "$dir/run" "$dir/log"
  cat > "$dir/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = [v1:127.0.0.1:$MON_PORT]
public addr = 127.0.0.1
ms bind msgr2 = false
ms bind port min = 6800
ms bind port max = 7300
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
run dir = $dir/run
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
keyring = $dir/keyring
[mon]
mon data = $dir/mon/\$name
[osd]
osd data = $dir/osd/\$name
osd objectstore = memstore
memstore device bytes = 2147483648
osd max object name len = 460
osd max object namespace len = 64
[client.rgw.gw]
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw data = $dir/rgw
rgw dns name = localhost
CONF
  # v1 named explicitly: on any port but 6789 a bare address means msgr2, which is not bound.
  local conf=(-c "$dir/ceph.conf")
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$MON_PORT]" "$dir/monmap" >/dev/null
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-mon "${conf[@]}" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" >/dev/null 2>&1 \
    || die "ceph-mon --mkfs failed (see $dir/log)"
  ceph-mon "${conf[@]}" -i a -f >"$dir/log/mon.out" 2>&1 &
  local mon_pid=$!
  printf 'RGW_DIR=%s\nMON_PID=%s\n' "$dir" "$mon_pid" > "$STATE"
  local osd_id osd_uuid
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  osd_id="$(timeout 60 ceph "${conf[@]}" osd create "$osd_uuid" 2>/dev/null)" \
    || fail_started "$dir" "the monitor did not answer"
  # memstore's mkfs asserts unless the OSD's data folder exists; the monitor marks the OSD up only if its uuid is the one
  # the OSD was created with.
  mkdir -p "$dir/osd/osd.$osd_id"
  ceph-osd "${conf[@]}" -i "$osd_id" --osd-uuid "$osd_uuid" --mkfs >"$dir/log/osd-mkfs.out" 2>&1 || fail_started "$dir" "ceph-osd --mkfs failed"
  ceph-osd "${conf[@]}" -i "$osd_id" -f >"$dir/log/osd.out" 2>&1 &
  local osd_pid=$!
  printf 'OSD_PID=%s\n' "$osd_pid" >> "$STATE"
  radosgw "${conf[@]}" -n client.rgw.gw -f >"$dir/log/rgw.out" 2>&1 &
  local rgw_pid=$!
  printf 'RGW_PID=%s\nRGW_PORT=%s\n' "$rgw_pid" "$PORT" >> "$STATE"
  # ~15 s on an idle machine; a loaded one (parallel builds) took over 60 s, hence the generous default.
  local wait_seconds="${ZARR_RGW_START_SECONDS:-240}" deadline=$((SECONDS + ${ZARR_RGW_START_SECONDS:-240}))
  while [ "$SECONDS" -lt "$deadline" ]; do
    port_open "$PORT" && break
    kill -0 "$rgw_pid" 2>/dev/null || fail_started "$dir" "radosgw exited"
    sleep 0.1
  done
  port_open "$PORT" || fail_started "$dir" "radosgw did not open port $PORT in $wait_seconds s"
  radosgw-admin "${conf[@]}" user create --uid=zarr-tests --display-name="zarr tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null 2>&1 || fail_started "$dir" "radosgw-admin user create failed"
  cat >> "$STATE" <<ENV
ZARR_S3_ENDPOINT=http://127.0.0.1:$PORT
ZARR_S3_ACCESS_KEY=$ACCESS_KEY
ZARR_S3_SECRET_KEY=$SECRET_KEY
ZARR_S3_REGION=$REGION
ENV
  warm_up
  print_env
}

# The first bucket takes seconds (RGW creates its pools): make it now, so that no test pays for it.
warm_up() {
  /usr/bin/python3 - "$PORT" "$ACCESS_KEY" "$SECRET_KEY" <<'PY' 2>/dev/null && return 0
import sys, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", aws_access_key_id=sys.argv[2],
                  aws_secret_access_key=sys.argv[3], region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}))
s3.create_bucket(Bucket="warm-up")
s3.put_object(Bucket="warm-up", Key="k", Body=b"x")
PY
  # Without boto3: an anonymous request still makes RGW create its pools (it answers 403 once they exist).
  for _ in $(seq 100); do
    curl -s -o /dev/null -X PUT "http://127.0.0.1:$PORT/warm-up" 2>/dev/null && return 0
    sleep 0.2
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) running || die "no RGW runs (scripts/services/rgw.sh start)"; print_env ;;
  *) echo "usage: scripts/services/rgw.sh start|stop|env" >&2; exit 2 ;;
esac
