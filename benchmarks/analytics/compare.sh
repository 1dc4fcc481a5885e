#!/usr/bin/env bash
# Issue 16's proof: the one-pass set (nan-mean, nan-std, nan-min, nan-max, histogram through ComputeSet) against
# dask.compute of the same five, and the monthly climatology against xarray + dask's groupby("time.month").mean(),
# measured side by side in one run on the same stored inputs. Prints the medians and the speed-up (peer / ours), the
# median process CPU seconds of a run on each side, the load (uptime) before and after, and checks that both sides computed the same values.
#
#   benchmarks/analytics/compare.sh [--reps N] [onepass] [climatology] [climatology-floor]
#
# climatology-floor is ours only: a nan-sum of the climate cube, the cost of reading and decoding it once (the floor
# under any pass over it).
#
# ROOT (default /tmp/zarr-analytics-bench) keeps the inputs between runs (written once, by peer_analytics.py prepare,
# about 660 MiB); results go to ROOT/peer.jsonl, ROOT/ours.jsonl and ROOT/table.md. Needs Debian's python3-xarray,
# python3-dask and python3-zarr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=${ROOT:-/tmp/zarr-analytics-bench}
reps=5
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then names=(onepass climatology climatology-floor); fi
peer_names=()
for n in "${names[@]}"; do [ "$n" != climatology-floor ] && peer_names+=("$n"); done
if ! /usr/bin/python3 -c 'import xarray, dask.array, zarr' 2>/dev/null; then
  echo "compare.sh: the peer needs Debian's python3-xarray, python3-dask and python3-zarr: apt-get install -y python3-xarray python3-dask python3-zarr" >&2
  exit 2
fi

mkdir -p "$root"
if [ ! -e "$root/onepass.zarr/.zarray" ] || [ ! -e "$root/climate.zarr/.zmetadata" ]; then
  echo "== writing the inputs (untimed)" >&2
  /usr/bin/python3 "$here/peer_analytics.py" prepare "$root" >&2
fi
echo "== building Zarr.Benchmarks (Release)" >&2
dotnet build -c Release "$repo/benchmarks/Zarr.Benchmarks" -v q -nologo >&2
load_before=$(uptime)
echo "== peer: dask / xarray + dask ($load_before)" >&2
/usr/bin/python3 "$here/peer_analytics.py" run "$root" "${peer_names[@]}" --reps "$reps" > "$root/peer.jsonl"
echo "== ours: Zarr.Dataflow" >&2
dotnet run -c Release --no-build --project "$repo/benchmarks/Zarr.Benchmarks" -- analytics "$root" "${names[@]}" --reps "$reps" > "$root/ours.jsonl"
load_after=$(uptime)

/usr/bin/python3 - "$root" "$reps" "$load_before" "$load_after" <<'PY'
import json, os, sys
root, reps, before, after = sys.argv[1:5]
load = lambda p: {r["workload"]: r for r in map(json.loads, filter(None, open(os.path.join(root, p)).read().splitlines()))}
peer, ours = load("peer.jsonl"), load("ours.jsonl")
lines = [f"medians of {reps} repetitions after a warm-up; load before: {before.strip()}; after: {after.strip()}", "",
         "| workload | peer | peer median s | ours median s | speed-up | target | values agree | CPU s peer / ours | ours peak RSS MiB |",
         "|---|---|---:|---:|---:|---:|---|---:|---:|"]
what = {"onepass": "dask.compute(nanmean, nanstd, nanmin, nanmax, histogram)", "climatology": 'xarray groupby("time.month").mean() on dask',
        "climatology-floor": "(none: ours only, one nan-sum pass over the climate cube)"}
ok = True
for name, o in ours.items():
    p = peer.get(name)
    if p is None:
        lines.append(f"| {name} | {what[name]} | - | {o['median_s']:.3f} | - | - | - | - / {o['cpu_median_s']:.3f} | {o['peak_rss_mib']:.0f} |")
        continue
    a, b = o["check"], p["check"]
    agree = len(a) == len(b) and all(abs(x - y) <= 1e-5 * max(1.0, abs(y)) for x, y in zip(a, b))
    speed = p["median_s"] / o["median_s"]
    ok &= agree
    lines.append(f"| {name} | {what[name]} | {p['median_s']:.3f} | {o['median_s']:.3f} | {speed:.2f}x | >= 2x {'met' if speed >= 2 else 'missed'} | "
                 f"{'yes' if agree else 'NO'} | {p['cpu_median_s']:.3f} / {o['cpu_median_s']:.3f} | {o['peak_rss_mib']:.0f} |")
text = "\n".join(lines)
print(text)
open(os.path.join(root, "table.md"), "w").write(text + "\n")
sys.exit(0 if ok else 1)
PY
