#!/usr/bin/python3
"""Peer workloads on a realistic array, with Debian's zarr-python 2 + dask (threaded, 2 workers).

`arange` compresses 190:1 and flatters every implementation; this array compresses about 1.3:1.
Data: float32 8192 x 8192 (256 MiB), element (i, j) = 20 + 10*sin(i/900)*cos(j/1300) + noise, the noise normal
with sigma 0.5 from a counter-based generator: splitmix64(SEED + i*8192 + j), Box-Muller on its top 24 and low
24 bits. Zarr.Benchmarks (RealData.cs) computes the same numbers, so both sides store the same array.
Chunks 1024 x 1024, Blosc lz4 clevel 5 shuffle, zarr v2 DirectoryStore under $BENCH_ROOT.

Workloads (same rules as ../../shared/bench/peer_zarr.py: new directory per write, warm page cache, a warm-up run,
median of at least --reps repetitions, each after waiting for a quiet machine):
  W1-real      z[:] = data           (new array in a new directory each rep; creation untimed)
  W2-real      z[:] -> new numpy array
  W3-real-sum  da.from_zarr(src).sum()   threads=2

Usage (with the environment line of ../../shared/bench/README.md):
  /usr/bin/python3 benchmarks/peer_real.py run W1-real W2-real W3-real-sum [--reps 5]
  /usr/bin/python3 benchmarks/peer_real.py all
  /usr/bin/python3 benchmarks/peer_real.py prepare
Results: one line per workload on stdout, one JSON line per workload appended to $BENCH_OUT.
"""
import argparse
import itertools
import os
import sys

SHARED = os.environ.get("PEER_BENCH_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
sys.path.insert(0, SHARED)

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import numpy as np  # noqa: E402
import zarr  # noqa: E402
from numcodecs import Blosc  # noqa: E402

import benchutil as bu  # noqa: E402

MODE = os.environ.get("BENCH_MODE", "default")
ROOT = os.environ.get("BENCH_ROOT", os.path.join("/tmp/zarrbench", MODE))
OUT = os.environ.get("BENCH_OUT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "peer_real.jsonl"))
N = 8192
NBYTES = N * N * 4
SEED = 20261125
OPTS = dict(chunks=(1024, 1024), compressor=Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE))
THREADS = dict(scheduler="threads", num_workers=2)
_DATA = None
_SEQ = itertools.count()


def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def data():
    global _DATA
    if _DATA is None:
        out = np.empty((N, N), dtype=np.float32)
        j = np.arange(N, dtype=np.uint64)
        cj = np.cos(np.arange(N) / 1300.0)
        rows = 256
        for i0 in range(0, N, rows):
            i = np.arange(i0, i0 + rows, dtype=np.uint64)[:, None]
            z = splitmix64(np.uint64(SEED) + i * np.uint64(N) + j[None, :])
            u1 = ((z >> np.uint64(40)) + np.uint64(1)).astype(np.float64) / 16777216.0
            u2 = (z & np.uint64(0xFFFFFF)).astype(np.float64) / 16777216.0
            noise = 0.5 * np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
            si = np.sin(np.arange(i0, i0 + rows) / 900.0)[:, None]
            out[i0:i0 + rows] = (20.0 + 10.0 * si * cj[None, :] + noise).astype(np.float32)
        _DATA = out
    return _DATA


def path(name):
    return os.path.join(ROOT, name + ".zarr")


def new_path(name):
    while True:
        p = path(f"{name}-{os.getpid()}-{next(_SEQ)}")
        if not os.path.exists(p):
            return p


def create(p):
    return zarr.open_array(zarr.DirectoryStore(p), mode="w-", shape=(N, N), dtype="f4", **OPTS)


def ensure_src():
    p = path("src-real")
    if not os.path.exists(os.path.join(p, ".zarray")):
        z = create(p)
        z[:] = data()
    return p


def ratio_of(p):
    z = zarr.open_array(zarr.DirectoryStore(p), mode="r")
    return z.nbytes / z.nbytes_stored


def wl(name):
    st = {}
    if name == "W1-real":
        def setup():
            st["p"] = new_path("w1-real")
            st["z"] = create(st["p"])
            data()
            os.sync()
        def run():
            st["z"][:] = data()
        return setup, run, lambda: {"ratio": ratio_of(st["p"])}
    if name == "W2-real":
        def setup():
            ensure_src()
            st["z"] = zarr.open_array(zarr.DirectoryStore(path("src-real")), mode="r")
        def run():
            a = st["z"][:]
            assert a.shape == (N, N) and a[-1, -1] > 0
        return setup, run, lambda: {"ratio": ratio_of(path("src-real"))}
    if name == "W3-real-sum":
        def setup():
            ensure_src()
        def run():
            with dask.config.set(**THREADS):
                r = da.from_zarr(path("src-real")).sum().compute()
            assert abs(float(r) / (N * N) - 20) < 1
        return setup, run, lambda: {"ratio": ratio_of(path("src-real"))}
    raise SystemExit("unknown workload " + name)


ALL = ["W1-real", "W2-real", "W3-real-sum"]


def run_timed(name, reps, reps_short):
    setup, run, post = wl(name)
    setup()
    with bu.Rep() as w:
        run()
    if w.wall < 0.25:
        reps = max(reps, reps_short)
    walls, cpus, noisy, foreign = [], [], 0, []
    for _ in range(reps):
        setup()
        bu.wait_quiet()
        with bu.Rep() as r:
            run()
        walls.append(r.wall)
        cpus.append(r.own_cpu / r.wall)
        noisy += r.noisy
        foreign.append(round(r.foreign_cpu, 4))
    extra = post()
    extra["foreign_cpu_s"] = foreign
    extra["mode"] = MODE
    res = bu.summarize(name, walls, NBYTES, extra, noisy, cpus)
    print(f"[{MODE}] " + bu.fmt(res), flush=True)
    os.makedirs(os.path.dirname(OUT) or ".", exist_ok=True)
    bu.append_json(OUT, res)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["all", "run", "prepare"])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--reps-short", type=int, default=11)
    a = ap.parse_args()
    os.makedirs(ROOT, exist_ok=True)
    if a.cmd == "prepare":
        ensure_src()
        return
    print(f"zarr {zarr.__version__} dask {dask.__version__} numpy {np.__version__} root={ROOT} mode={MODE}", flush=True)
    for n in (ALL if a.cmd == "all" else a.names):
        run_timed(n, a.reps, a.reps_short)


if __name__ == "__main__":
    main()
