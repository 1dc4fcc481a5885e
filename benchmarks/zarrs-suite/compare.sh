#!/usr/bin/env bash
# Issue 18: zarrs' benchmark suite (zarrs/zarr_benchmarks) here, in one run: the ceilings in C, then every workload
# with ours (Zarr.Benchmarks zarrs-suite), zarr-python 2.13 + dask (the layouts it reads) and zarrita.js, workload by
# workload (so a change of the machine's load hits all three alike), then the table.
#
#   benchmarks/zarrs-suite/compare.sh [--reps N] [--peer-reps N] [WORKLOAD ...]
#
# Arrays (written once, kept): ours under $BENCH_ROOT/zarrs-suite (default /tmp/zarrbench/dotnet/zarrs-suite; 2 GiB
# raw + 84 MiB zstd + 440 MiB shard + 470 MiB zstd64), zarr-python's v2 copies under $PEER_ROOT (default
# /tmp/zarrbench/zarrs-suite-peer; 2 GiB + 85 MiB + 470 MiB). Each round trip writes a new array and the run removes
# it (the raw one is 2 GiB; mind `df -h /tmp`). Output in $OUT_DIR (default a new /tmp/zarrs-suite.*): ceiling-*.json,
# ours.jsonl, zarr-python.jsonl, zarrita.jsonl, table.md, compare.json. Remove the arrays with
# `rm -rf /tmp/zarrbench/dotnet/zarrs-suite /tmp/zarrbench/zarrs-suite-peer` when done.
# Needs: apt-get install -y libzstd-dev python3-zarr python3-numcodecs python3-dask python3-numpy nodejs npm; zarrita.js
# from tests/fixtures/js (npm ci there; done here when missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
reps=3
peer_reps=2
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --peer-reps) peer_reps="$2"; shift 2 ;;
    *) names+=("$1"); shift ;;
  esac
done

missing=()
[ -f /usr/include/zstd.h ] || missing+=(libzstd-dev)
command -v cc >/dev/null || missing+=(gcc)
/usr/bin/python3 -c "import zarr, numcodecs, dask, numpy" 2>/dev/null || missing+=(python3-zarr python3-numcodecs python3-dask python3-numpy)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "compare.sh: missing ${missing[*]}: apt-get install -y ${missing[*]}" >&2
  exit 3
fi
js="$repo/tests/fixtures/js"
if [ ! -d "$js/node_modules/zarrita" ]; then
  (cd "$js" && flock .npm-install.lock npm ci --no-audit --no-fund >&2)
fi

export BENCH_ROOT="${BENCH_ROOT:-/tmp/zarrbench/dotnet}"
suite="$BENCH_ROOT/zarrs-suite"
peer_root="${PEER_ROOT:-/tmp/zarrbench/zarrs-suite-peer}"
out="${OUT_DIR:-$(mktemp -d /tmp/zarrs-suite.XXXXXX)}"
mkdir -p "$out" "$peer_root"
# The machine is shared: wait at most a second for quiet before a repetition (the load is recorded instead).
export QUIET_TIMEOUT="${QUIET_TIMEOUT:-0}"
start=$(date +%s)
uptime | tee "$out/uptime-start.txt" >&2

cc -O2 -Wall -pthread -o "$out/ceiling" "$here/ceiling.c" -lzstd
dotnet build -c Release "$repo/benchmarks/Zarr.Benchmarks" >&2
bench=(dotnet "$repo/benchmarks/Zarr.Benchmarks/bin/Release/net10.0/Zarr.Benchmarks.dll")
"${bench[@]}" zarrs-prepare >&2
/usr/bin/python3 "$here/peer_zarr2.py" prepare "$peer_root" >&2

if [ ${#names[@]} -eq 0 ]; then
  # ZarrsSuite.Names, in its order.
  names=(zs-read-all-raw zs-read-all-zstd zs-read-all-shard zs-read-chunks-raw zs-read-chunks-zstd zs-read-chunks-shard
    zs-read-inner-shard zs-read-inner-zstd64 zs-roundtrip-raw zs-roundtrip-zstd zs-roundtrip-shard)
fi

# The ceilings on the same chunk files: raw (I/O only), zstd 256³ chunks, zstd 64³ chunks (the shard's inner chunks).
# CEILINGS_FROM=DIR takes the ceiling-*.json already in DIR instead of measuring them again (a run cut short by the
# machine's load); ZSTD64_OPS limits the zstd64 ceiling's steps (default all; compressing 4096 small chunks is slow).
for layout in raw zstd zstd64; do
  codec=zstd; [ "$layout" = raw ] && codec=raw
  if [ -n "${CEILINGS_FROM:-}" ] && [ -s "$CEILINGS_FROM/ceiling-$layout.json" ]; then
    cp "$CEILINGS_FROM/ceiling-$layout.json" "$out/"
    echo "compare.sh: ceiling-$layout.json taken from $CEILINGS_FROM" | tee -a "$out/ceilings-reused.txt" >&2
    continue
  fi
  ops="read,decomp,comp,write"; [ "$layout" = zstd64 ] && ops="${ZSTD64_OPS:-$ops}"
  # zstd: also the store of a read-all's 2 GiB result alone (place), the part of a read-all the ceiling leaves out.
  [ "$layout" = zstd ] && ops="$ops,place"
  PLACE_SHAPE=1024,1024,1024 PLACE_CHUNKS=256,256,256 PLACE_ITEM=2 \
    "$out/ceiling" "$suite/$layout.zarr" "$codec" "$out/ceiling-scratch" "$reps" "$ops" > "$out/ceiling-$layout.json"
done
rmdir "$out/ceiling-scratch" 2>/dev/null || true

: > "$out/ours.jsonl"; : > "$out/zarr-python.jsonl"; : > "$out/zarrita.jsonl"
for w in "${names[@]}"; do
  echo "== $w ($(uptime | sed 's/.*load/load/'))" >&2
  "${bench[@]}" run "$w" --reps "$reps" --reps-short "$reps" --json >> "$out/ours.jsonl" || echo "compare.sh: ours failed on $w" >&2
  rm -rf "$BENCH_ROOT"/zs-roundtrip-*
  case "$w" in
    *-shard) ;;  # zarr-python 2 reads neither v3 nor sharding
    *) /usr/bin/python3 "$here/peer_zarr2.py" run "$peer_root" "$w" "$peer_reps" >> "$out/zarr-python.jsonl" \
         || echo "compare.sh: zarr-python failed on $w" >&2 ;;
  esac
  node "$here/peer_zarrita.mjs" "$suite" "$w" "$peer_reps" >> "$out/zarrita.jsonl" || echo "compare.sh: zarrita failed on $w" >&2
done
uptime | tee "$out/uptime-end.txt" >&2
wall=$(( $(date +%s) - start ))
/usr/bin/python3 "$here/table.py" "$out" "$wall" "compare.sh --reps $reps --peer-reps $peer_reps ${names[*]}"
