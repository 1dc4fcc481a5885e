#!/usr/bin/python3
"""The table of a compare.sh run: table.py OUT_DIR WALL_S COMMAND. Writes OUT_DIR/table.md and OUT_DIR/compare.json.

Every ratio is of two figures measured in the same run. A ceiling's time is the sum of its steps' medians (C, libzstd,
2 threads): read-all = read + decompress, round trip = read + decompress + compress + write, of the same chunk files.
"Speed-up" = peer median / our median. CPU seconds (the process's, all threads) are given beside the wall times: on a
shared machine they move less than wall times.
"""
import json
import os
import sys


def lines(path):
    if not os.path.exists(path):
        return {}
    out = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            out[r["workload"]] = r
    return out


out, wall, command = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ours = lines(os.path.join(out, "ours.jsonl"))
zp = lines(os.path.join(out, "zarr-python.jsonl"))
zj = lines(os.path.join(out, "zarrita.jsonl"))
ceil = {}
for layout in ("raw", "zstd", "zstd64"):
    p = os.path.join(out, f"ceiling-{layout}.json")
    if os.path.exists(p) and os.path.getsize(p) > 0:
        ceil[layout] = json.loads(open(p).read())
start = open(os.path.join(out, "uptime-start.txt")).read().strip() if os.path.exists(os.path.join(out, "uptime-start.txt")) else "?"
end = open(os.path.join(out, "uptime-end.txt")).read().strip() if os.path.exists(os.path.join(out, "uptime-end.txt")) else "?"


def f(x, fmt=".3f"):
    return "-" if x is None else format(x, fmt)


def wall_of(d, w):
    r = d.get(w)
    return None if r is None or "median_s" not in r else r["median_s"]


def cpu_of(d, w):
    r = d.get(w)
    return None if r is None else r.get("cpu_s_median")


def over(r):
    return None if r is None or "peak_rss_mib" not in r else r["peak_rss_mib"] - r.get("baseline_rss_mib", 0)


rows = []
table = [f"Command: `benchmarks/zarrs-suite/{command}` (run wall {wall} s). Load at start: `{start}`; at end: `{end}`.", "",
         "| workload | ours s | ours CPU s | ours peak − baseline MiB | zarr-python 2.13 + dask s | speed-up | zarrita.js s | speed-up |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for w, r in ours.items():
    a, p, j = r["median_s"], wall_of(zp, w), wall_of(zj, w)
    row = {"workload": w, "ours_s": a, "ours_cpu_s": r.get("cpu_s_median"), "ours_over_baseline_mib": over(r),
           "ours_peak_rss_mib": r.get("peak_rss_mib"), "zarr_python_s": p, "zarr_python_cpu_s": cpu_of(zp, w),
           "zarr_python_peak_mib": (zp.get(w) or {}).get("peak_rss_mib"), "zarrita_s": j, "zarrita_cpu_s": cpu_of(zj, w),
           "zarrita_peak_mib": (zj.get(w) or {}).get("peak_rss_mib"),
           "speedup_vs_zarr_python": None if p is None else p / a, "speedup_vs_zarrita": None if j is None else j / a,
           "zarrita_error": (zj.get(w) or {}).get("error")}
    rows.append(row)
    js = f(j) if j is not None else ("error" if row["zarrita_error"] else "-")
    table.append(f"| {w} | {a:.3f} | {f(row['ours_cpu_s'], '.2f')} | {f(row['ours_over_baseline_mib'], '.0f')} | {f(p)} | "
                 f"{f(row['speedup_vs_zarr_python'], '.2f')}{'×' if p else ''} | {js} | "
                 f"{f(row['speedup_vs_zarrita'], '.2f')}{'×' if j else ''} |")

table += ["", "Ceilings (C, libzstd " + (ceil.get("zstd", {}).get("zstd_version", "?")) + ", the same chunk files; medians, wall s / CPU s):", "",
          "| array | chunks | stored MiB | read 1t | read 2t | decompress 1t | decompress 2t | compress 1t | compress 2t | write 1t | write 2t |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for layout, c in ceil.items():
    def cell(step, t):
        k = f"{step}_{t}t_s"
        return "-" if k not in c else f"{c[k]:.3f} / {c[f'{step}_{t}t_cpu_s']:.2f}"
    table.append(f"| {layout} | {c['chunks']} | {c['stored_bytes'] / 2**20:.0f} | " + " | ".join(
        cell(s, t) for s in ("read", "decomp", "comp", "write") for t in (1, 2)) + " |")

notes = []
targets = {}


def ceiling(layout, steps, cpu=False):
    c = ceil.get(layout)
    if c is None:
        return None
    key = "_1t_cpu_s" if cpu else "_2t_s"
    if any(s + key not in c for s in steps):
        return None
    return sum(c[s + key] for s in steps)


def against(w, layout, steps, target):
    r = ours.get(w)
    t = ceiling(layout, steps)
    if r is None or t is None:
        return
    frac = t / r["median_s"]
    cpu_t = ceiling(layout, steps, cpu=True)
    cpu_frac = None if r.get("cpu_s_median") is None else cpu_t / r["cpu_s_median"]
    targets[w + " / ceiling"] = {"wall_fraction": frac, "cpu_fraction": cpu_frac, "target": target}
    notes.append(f"{w}: {frac:.0%} of the ceiling ({' + '.join(steps)} on 2 threads, {t:.3f} s; ours {r['median_s']:.3f} s)"
                 + ("" if target is None else f", target ≥ {target:.0%} {'✓' if frac >= target else '✗'}")
                 + ("" if cpu_frac is None else f"; in CPU seconds {cpu_frac:.0%} (ceiling {cpu_t:.2f} s on 1 thread, ours {r['cpu_s_median']:.2f} s)"))


against("zs-read-all-zstd", "zstd", ["read", "decomp"], 0.85)
against("zs-roundtrip-zstd", "zstd", ["read", "decomp", "comp", "write"], 0.85)
against("zs-read-all-raw", "raw", ["read"], None)
against("zs-roundtrip-raw", "raw", ["read", "write"], None)
against("zs-read-all-shard", "zstd64", ["read", "decomp"], None)
against("zs-roundtrip-shard", "zstd64", ["read", "decomp", "comp", "write"], None)
against("zs-read-inner-shard", "zstd64", ["read", "decomp"], None)


def ratio(a, b, target, what):
    if a in ours and b in ours:
        x = ours[a]["median_s"] / ours[b]["median_s"]
        ca, cb = ours[a].get("cpu_s_median"), ours[b].get("cpu_s_median")
        cx = None if not ca or not cb else ca / cb
        targets[f"{a} / {b}"] = {"wall_ratio": x, "cpu_ratio": cx, "target": target}
        notes.append(f"{what}: {a} / {b} = {x:.2f}× (target ≤ {target}× {'✓' if x <= target else '✗'})"
                     + ("" if cx is None else f"; in CPU seconds {cx:.2f}×"))


ratio("zs-roundtrip-shard", "zs-roundtrip-zstd", 1.5, "sharded round trip over unsharded")
ratio("zs-read-all-shard", "zs-read-all-zstd", 1.2, "sharded read-all over unsharded")
ratio("zs-read-inner-shard", "zs-read-inner-zstd64", 1.3, "inner-chunk reads over the same bytes as unsharded 64³ chunks")
for w, r in ours.items():
    if w.startswith("zs-roundtrip-") and over(r) is not None:
        o = over(r)
        targets[w + " memory"] = {"over_baseline_mib": o, "target": 300}
        notes.append(f"{w}: peak {r['peak_rss_mib']:.0f} MiB, {o:.0f} MiB over the runtime's baseline "
                     f"(target ≤ 300 {'✓' if o <= 300 else '✗'})")

text = "\n".join(table + [""] + [f"- {n}" for n in notes])
print(text)
open(os.path.join(out, "table.md"), "w").write(text + "\n")
json.dump({"command": command, "wall_s": wall, "uptime_start": start, "uptime_end": end, "rows": rows, "ceilings": ceil,
           "targets": targets, "notes": notes}, open(os.path.join(out, "compare.json"), "w"), indent=1)
