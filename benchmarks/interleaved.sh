#!/usr/bin/env bash
# Two sides of one comparison (two checkouts, or one checkout under two environments) interleaved workload by workload,
# so that a shared machine's load falls on both sides alike; the order of the sides alternates between rounds.
#   benchmarks/interleaved.sh OUT ROUNDS REPS "ENV_A" CHECKOUT_A "ENV_B" CHECKOUT_B WORKLOAD...
# e.g. native against managed blosc in this checkout:
#   benchmarks/interleaved.sh /tmp/blosc 3 5 ZARR_BLOSC=native . ZARR_BLOSC=managed . W2-lz4 W2-c128 W3-sum W3-sum-c128
# or before and after a change (each checkout with benchmarks/Zarr.Benchmarks built in Release):
#   benchmarks/interleaved.sh /tmp/ba 3 5 X=1 ../before X=1 ../after W1-lz4 W2-lz4 W2-c128 W3-sum W3-sum-c128 W4
# ENV_A/ENV_B are one NAME=VALUE each (X=1 for none). The source arrays are made once by side A into $BENCH_ROOT
# (default OUT/root). Writes OUT/{A,B}.jsonl and OUT/progress.log (the load average after each run), and prints the
# table: per round the median wall time of each side, B/A of the rounds' medians, and the median process CPU time,
# which depends less on the neighbours than the wall time.
set -euo pipefail
out=$1 rounds=$2 reps=$3 env_a=$4 dir_a=$(cd "$5" && pwd) env_b=$6 dir_b=$(cd "$7" && pwd)
shift 7
mkdir -p "$out"
out=$(cd "$out" && pwd)
export BENCH_ROOT=${BENCH_ROOT:-$out/root} QUIET_TIMEOUT=${QUIET_TIMEOUT:-1}
mkdir -p "$BENCH_ROOT"
run() { (cd "$2" && env "$1" dotnet run -c Release --no-build --project benchmarks/Zarr.Benchmarks -- "${@:3}"); }
[ -d "$BENCH_ROOT/src-lz4.zarr" ] || run "$env_a" "$dir_a" prepare >&2
for r in $(seq 1 "$rounds"); do
  for w in "$@"; do
    if [ $((r % 2)) = 1 ]; then order=(A B); else order=(B A); fi
    for s in "${order[@]}"; do
      if [ "$s" = A ]; then e=$env_a d=$dir_a; else e=$env_b d=$dir_b; fi
      run "$e" "$d" run "$w" --reps "$reps" --json >> "$out/$s.jsonl" 2>> "$out/err.log"
      echo "$(date +%T) round $r $w $s load=$(cut -d' ' -f1 /proc/loadavg)" >> "$out/progress.log"
    done
  done
done
/usr/bin/python3 - "$out" "$env_a" "$env_b" <<'PY'
import json, statistics as st, sys
out, la, lb = sys.argv[1:4]
def load(p):
    r = {}
    for line in open(p):
        if line.startswith("{"):
            j = json.loads(line); r.setdefault(j["workload"], []).append(j)
    return r
A, B = load(out + "/A.jsonl"), load(out + "/B.jsonl")
print(f"A: {la}; B: {lb}")
print("| workload | A median s per round | B median s per round | B/A (median of rounds) | B/A per round | CPU s A / B (medians) |")
print("|---|---|---|---:|---|---|")
for w in A:
    a = [x["median_s"] for x in A[w]]; b = [x["median_s"] for x in B.get(w, [])]
    if not b: continue
    ca = st.median(x["cpu_s_median"] for x in A[w]); cb = st.median(x["cpu_s_median"] for x in B[w])
    per = ", ".join(f"{y / x:.2f}" for x, y in zip(a, b))
    print(f"| {w} | {', '.join(f'{x:.4f}' for x in a)} | {', '.join(f'{x:.4f}' for x in b)} | "
          f"{st.median(b) / st.median(a):.2f} | {per} | {ca:.3f} / {cb:.3f} ({cb / ca:.2f}) |")
PY
