#!/usr/bin/env bash
# Runs the peer (zarr-python 2 + dask, ../shared/bench/peer_zarr.py and benchmarks/peer_real.py, in `retain` mode
# with the environment line of ../shared/bench/README.md) and then Zarr.Benchmarks, in one run on this machine, and
# prints the table: speed-up = peer median / our median per workload.
#
#   benchmarks/compare.sh [--reps N] [WORKLOAD ...]      (default: every workload both sides have, ceilings, stages)
#
# Results go to $OUT_DIR (default: a new directory under /tmp): peer.jsonl, ours.jsonl, compare.json (the table,
# machine-readable) and table.md. Nothing is deleted: the arrays stay under $OUT_DIR/{peer,ours}; delete them after
# the run (and mind ../shared/bench/cooldown.sh before the next one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=${PEER_BENCH_DIR:-$(cd "$repo/../shared/bench" && pwd)}
reps=5
orig_args="$*"
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
peer_names=(W1-lz4 W2-lz4 W2c-lz4 W1-c128 W2-c128 W2c-c128 W1-zstd3 W2-zstd3 W1-raw W2-raw W2c-raw W3-sum W3-mean0 W3-sum-c128 W4)
real_names=(W1-real W2-real W3-real-sum)
ours_only=(ceiling-lz4 ceiling-zstd3 ceiling-real stage-decode stage-encode stage-decode-real stage-encode-real)
if [ ${#names[@]} -eq 0 ]; then names=("${peer_names[@]}" "${real_names[@]}" "${ours_only[@]}"); fi
sel_peer=(); sel_real=()
for n in "${names[@]}"; do
  for p in "${peer_names[@]}"; do [ "$n" = "$p" ] && sel_peer+=("$n"); done
  for p in "${real_names[@]}"; do [ "$n" = "$p" ] && sel_real+=("$n"); done
done

# The peer's packages, installed the way ../shared/bench/README.md says.
if ! /usr/bin/python3 -c 'import zarr, numcodecs, dask.array, blosc, numpy' 2>/dev/null; then
  apt-get install -y python3-zarr python3-numcodecs python3-dask python3-blosc python3-numpy >&2
fi

out=${OUT_DIR:-$(mktemp -d /tmp/zarr-compare.XXXXXX)}
mkdir -p "$out"
echo "results: $out" >&2
# shellcheck source=/dev/null
source "$shared/cooldown.sh"
wait_cooldown

start=$(date +%s)
peer_env=(BENCH_ROOT="$out/peer" BENCH_OUT="$out/peer.jsonl" BENCH_MODE=retain MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736)
echo "== building Zarr.Benchmarks (Release)" >&2
dotnet build -c Release "$repo/benchmarks/Zarr.Benchmarks" -v q -nologo >&2
ours=(dotnet run -c Release --no-build --project "$repo/benchmarks/Zarr.Benchmarks" --)

echo "== preparing the source arrays (untimed)" >&2
env "${peer_env[@]}" /usr/bin/python3 "$shared/peer_zarr.py" prepare >&2
env "${peer_env[@]}" /usr/bin/python3 "$here/peer_real.py" prepare >&2
BENCH_ROOT="$out/ours" "${ours[@]}" prepare >&2

echo "== peer: zarr-python + dask" >&2
if [ ${#sel_peer[@]} -gt 0 ]; then env "${peer_env[@]}" /usr/bin/python3 "$shared/peer_zarr.py" run "${sel_peer[@]}" --reps "$reps" >&2; fi
if [ ${#sel_real[@]} -gt 0 ]; then env "${peer_env[@]}" /usr/bin/python3 "$here/peer_real.py" run "${sel_real[@]}" --reps "$reps" >&2; fi
touch "$out/peer.jsonl"

echo "== ours: Zarr.Dataflow" >&2
BENCH_ROOT="$out/ours" "${ours[@]}" run "${names[@]}" --reps "$reps" --json > "$out/ours.jsonl"
wall=$(( $(date +%s) - start ))

/usr/bin/python3 - "$out" "$wall" "$reps" $orig_args <<'PY'
import json, os, platform, subprocess, sys, time
out, wall, reps = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(p):
    d = {}
    if os.path.exists(p):
        for line in open(p):
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line); d[r["workload"]] = r
    return d
peer, ours = load(os.path.join(out, "peer.jsonl")), load(os.path.join(out, "ours.jsonl"))
targets = {"W2-lz4": 1.7, "W1-lz4": 2.0, "W2-c128": 2.5, "W1-c128": 1.5, "W3-sum": 1.7, "W3-mean0": 1.7,
           "W3-sum-c128": 15.0, "W4": 1.3}
rows = []
for name, o in ours.items():
    p = peer.get(name)
    row = {"workload": name, "peer_median_s": p and p["median_s"], "peer_GBps": p and p["GBps_median"],
           "ours_median_s": o["median_s"], "ours_GBps": o["GBps_median"],
           "speedup": p and p["median_s"] / o["median_s"], "target": targets.get(name),
           "ours_peak_rss_mib": o.get("peak_rss_mib"), "ratio": o.get("ratio")}
    row["met"] = None if row["target"] is None or row["speedup"] is None else row["speedup"] >= row["target"]
    rows.append(row)
notes = []
if "W2-lz4" in ours and "ceiling-lz4" in ours:
    f = ours["W2-lz4"]["GBps_median"] / ours["ceiling-lz4"]["GBps_median"]
    notes.append(f"W2-lz4 reaches {f:.0%} of ceiling-lz4's decompression throughput (target >= 75%)")
if "W1-lz4" in ours and "ceiling-lz4" in ours:
    f = ours["W1-lz4"]["GBps_median"] / ours["ceiling-lz4"]["compress_GBps_median"]
    notes.append(f"W1-lz4 reaches {f:.0%} of ceiling-lz4's compression throughput (target >= 70%)")
for s in ("stage-decode", "stage-encode", "stage-decode-real", "stage-encode-real"):
    if s in ours:
        notes.append(f"{s}: 2 workers = {ours[s]['scaling_2w_over_1w']:.2f}x 1 worker (target >= 1.7x; best repetitions {ours[s]['scaling_best_2w_over_1w']:.2f}x)")
for s in ("ceiling-lz4", "ceiling-real"):
    if s in ours and "decompress_scaling_2t_over_1t" in ours[s]:
        notes.append(f"{s}: c-blosc decompression alone, 2 threads = {ours[s]['decompress_scaling_2t_over_1t']:.2f}x 1 thread "
                     f"(into a reused buffer per thread, as a stage decodes: {ours[s]['decompress_reused_scaling_2t_over_1t']:.2f}x)")
if "W3-sum-c128" in ours and "W3-sum-c128" in peer:
    notes.append(f"W3-sum-c128: {ours['W3-sum-c128']['median_s'] / 4096 * 1e6:.1f} us per chunk ours, "
                 f"{peer['W3-sum-c128']['median_s'] / 4096 * 1e6:.1f} us per dask task")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
head = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": f"{os.cpu_count()} vCPU {cpu}, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') // 2**30} GiB", "reps": reps, "wall_s": wall,
        "command": "benchmarks/compare.sh " + " ".join(sys.argv[4:])}
def f(x, fmt):
    return "-" if x is None else format(x, fmt)
lines = [f"{head['date']}, {head['machine']}, medians of >= {reps} reps, run wall {wall} s", "",
         "| workload | peer median s | ours median s | speed-up | target | peer GB/s | ours GB/s | ours peak RSS MiB |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    t = "" if r["target"] is None else f"≥ {r['target']}× " + ("✓" if r["met"] else "✗")
    lines.append(f"| {r['workload']} | {f(r['peer_median_s'], '.4f')} | {r['ours_median_s']:.4f} | "
                 f"{f(r['speedup'], '.2f')}{'' if r['speedup'] is None else '×'} | {t} | {f(r['peer_GBps'], '.2f')} | "
                 f"{r['ours_GBps']:.2f} | {f(r['ours_peak_rss_mib'], '.0f')} |")
lines += [""] + [f"- {n}" for n in notes]
text = "\n".join(lines)
print(text)
open(os.path.join(out, "table.md"), "w").write(text + "\n")
json.dump({"meta": head, "rows": rows, "notes": notes}, open(os.path.join(out, "compare.json"), "w"), indent=1)
PY
echo "table: $out/table.md, machine-readable: $out/compare.json (wall ${wall}s)" >&2
