#!/usr/bin/env bash
# Ours before and after a change, one side after the other on the same source arrays, in one run on this machine:
#   benchmarks/before-after.sh BEFORE_CHECKOUT AFTER_CHECKOUT [--reps N] [WORKLOAD ...]
# Each checkout must have benchmarks/Zarr.Benchmarks built (dotnet build -c Release benchmarks/Zarr.Benchmarks).
# The source arrays are prepared once (untimed) by the BEFORE side into $BENCH_ROOT (default a new /tmp folder).
set -euo pipefail
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd); shift 2
reps=11
if [ "${1:-}" = --reps ]; then reps=$2; shift 2; fi
workloads=("$@"); [ ${#workloads[@]} -gt 0 ] || workloads=(W1-lz4 W2-lz4 W2-c128 W3-sum W3-sum-c128 W4)
root=${BENCH_ROOT:-$(mktemp -d /tmp/zarr-before-after.XXXXXX)}
run() { (cd "$1" && BENCH_ROOT="$root" dotnet run -c Release --no-build --project benchmarks/Zarr.Benchmarks -- "${@:2}"); }
[ -d "$root/src-lz4.zarr" ] || run "$before" prepare >&2
run "$before" run "${workloads[@]}" --reps "$reps" --json > "$root/before.jsonl"
run "$after" run "${workloads[@]}" --reps "$reps" --json > "$root/after.jsonl"
/usr/bin/python3 - "$root" <<'PY'
import json, sys
def load(p):
    return {r["workload"]: r for r in (json.loads(l) for l in open(p) if l.startswith("{"))}
b, a = load(sys.argv[1] + "/before.jsonl"), load(sys.argv[1] + "/after.jsonl")
print("| workload | before median s | after median s | after/before | before min s | after min s |")
print("|---|---:|---:|---:|---:|---:|")
for w in b:
    if w in a:
        print(f"| {w} | {b[w]['median_s']:.4f} | {a[w]['median_s']:.4f} | {a[w]['median_s'] / b[w]['median_s']:.2f} | {b[w]['min_s']:.4f} | {a[w]['min_s']:.4f} |")
PY
echo "results: $root/{before,after}.jsonl" >&2
