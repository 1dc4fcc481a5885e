#!/usr/bin/python3
"""Issue 16's peer: dask and xarray on the analytics workloads; benchmarks/analytics/compare.sh runs it and ours.

  /usr/bin/python3 benchmarks/analytics/peer_analytics.py prepare ROOT
      ROOT/onepass.zarr: float32 8192 x 8192 (256 MiB), chunks 1024 x 1024, zarr's default Blosc lz4, values
      20 + 10 sin(i/900) cos(j/1300) + N(0, 1) with 1 % NaN.
      ROOT/climate.zarr: climate_big.py's cube with 1461 daily steps x 180 x 384 (404 MiB), chunks (365, 90, 96).
  /usr/bin/python3 benchmarks/analytics/peer_analytics.py run ROOT [onepass] [climatology] [--reps 5]
      onepass:     dask.compute(nanmean, nanstd, nanmin, nanmax, histogram(64 bins)) of da.from_zarr(onepass.zarr)
      climatology: xr.open_zarr(climate.zarr).temp.groupby("time.month").mean().compute()
      Both on dask's threaded scheduler with 2 workers (the machine's cores). A warm-up run, then REPS timed runs;
      one JSON line per workload on stdout (median, walls, median process CPU s, peak RSS, the values compared with ours).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
warnings.simplefilter("ignore")
SCHED = dict(scheduler="threads", num_workers=2)
EDGES = -10 + np.arange(65) * 60.0 / 64


def prepare(root):
    import zarr
    import climate_big
    os.makedirs(root, exist_ok=True)
    n, c = 8192, 1024
    z = zarr.open(os.path.join(root, "onepass.zarr"), mode="w", shape=(n, n), chunks=(c, c), dtype="<f4", fill_value=np.nan)
    rng = np.random.default_rng(161)
    j = np.arange(n)
    for i0 in range(0, n, c):
        i = np.arange(i0, i0 + c)[:, None]
        block = (20 + 10 * np.sin(i / 900) * np.cos(j / 1300)[None, :]).astype("float32")
        block += rng.standard_normal(block.shape, dtype="float32")
        block[rng.random(block.shape, dtype="float32") < 0.01] = np.nan
        z[i0:i0 + c] = block
    climate_big.make(os.path.join(root, "climate.zarr"), 1461, 180, 384)


def onepass(root):
    import dask
    import dask.array as da
    x = da.from_zarr(os.path.join(root, "onepass.zarr"))
    mean, std, mn, mx, (hist, _) = dask.compute(da.nanmean(x), da.nanstd(x), da.nanmin(x), da.nanmax(x), da.histogram(x, bins=EDGES), **SCHED)
    return [float(mean), float(std), float(mn), float(mx)] + [float(h) for h in hist]


def climatology(root):
    import xarray as xr
    clim = xr.open_zarr(os.path.join(root, "climate.zarr")).temp.groupby("time.month").mean().compute(**SCHED)
    v = clim.values.astype("float64")
    return [float(np.nansum(v)), float(np.sum(~np.isnan(v)))]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["prepare", "run"])
    p.add_argument("root")
    p.add_argument("names", nargs="*")
    p.add_argument("--reps", type=int, default=5)
    a = p.parse_args()
    if a.cmd == "prepare":
        prepare(a.root)
        return
    for name in a.names or ["onepass", "climatology"]:
        f = {"onepass": onepass, "climatology": climatology}[name]
        check = f(a.root)
        walls, cpus = [], []
        for r in range(a.reps):
            t, c = time.perf_counter(), time.process_time()
            f(a.root)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            print(f"{name}: rep {r} {walls[-1]:.3f} s, CPU {cpus[-1]:.3f} s", file=sys.stderr)
        print(json.dumps({"workload": name, "median_s": statistics.median(walls), "min_s": min(walls), "walls": walls,
                          "cpu_median_s": statistics.median(cpus),
                          "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "check": check}))


main()
