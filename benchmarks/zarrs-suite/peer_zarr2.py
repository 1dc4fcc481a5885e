#!/usr/bin/python3
"""Issue 18's suite with zarr-python 2.13 + dask (Debian's python3-zarr, python3-dask), on the layouts it can read.

zarr-python 2 reads neither Zarr v3 nor sharding: its arrays are the same values (zarrs' generator,
(x + y**2 // 32 + z**3) % 65536 at (z, y, x)) written by zarr-python itself as Zarr v2, 256**3 chunks, no compressor
('raw') or numcodecs Zstd(level=0) ('zstd'), and 64**3 chunks of zstd 0 ('zstd64', the unsharded reference of the
inner-chunk reads).

    peer_zarr2.py prepare ROOT                 write the arrays (once)
    peer_zarr2.py run ROOT WORKLOAD REPS       one workload in this process: one JSON line on stdout

Workloads (the names of Zarr.Benchmarks' zarrs-suite): zs-read-all-{raw,zstd} (dask: from_zarr(...).compute()),
zs-read-chunks-{raw,zstd} and zs-read-inner-zstd64 (every chunk as its own z[...] read, 2 threads),
zs-roundtrip-{raw,zstd} (dask: from_zarr(src).to_zarr(new array of the same chunks and compressor)).
dask runs its threaded scheduler with 2 workers (the machine's cores). A new output directory per round trip, removed
after the repetition (untimed). Needs: apt-get install -y python3-zarr python3-numcodecs python3-dask python3-numpy
"""
import json
import os
import resource
import shutil
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

try:
    import dask
    import dask.array as da
    import numcodecs
    import numpy as np
    import zarr
except ImportError as e:  # the peer is missing: say how to install it
    sys.exit(f"peer_zarr2.py: {e}: apt-get install -y python3-zarr python3-numcodecs python3-dask python3-numpy")

N = 1024
NBYTES = N * N * N * 2
LAYOUTS = {"raw": (256, None), "zstd": (256, "zstd"), "zstd64": (64, "zstd")}


def compressor(kind):
    return None if kind is None else numcodecs.Zstd(level=0)


def block(origin, size):
    z = np.arange(origin[0], origin[0] + size, dtype=np.int64)[:, None, None]
    y = np.arange(origin[1], origin[1] + size, dtype=np.int64)[None, :, None]
    x = np.arange(origin[2], origin[2] + size, dtype=np.int64)[None, None, :]
    return ((x + y * y // 32 + z * z * z) % 65536).astype(np.uint16)


def value(z, y, x):
    return (x + y * y // 32 + z * z * z) % 65536


def path_of(root, layout):
    return os.path.join(root, f"v2-{layout}.zarr")


def prepare(root):
    for layout, (edge, kind) in LAYOUTS.items():
        p = path_of(root, layout)
        if os.path.exists(os.path.join(p, ".zarray")):
            continue
        print(f"peer_zarr2.py: writing {p}", file=sys.stderr)
        tmp = p + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        z = zarr.open(tmp, mode="w", shape=(N, N, N), chunks=(edge,) * 3, dtype="<u2", compressor=compressor(kind),
                      fill_value=0)
        step = 256
        for a in range(0, N, step):
            for b in range(0, N, step):
                for c in range(0, N, step):
                    z[a:a + step, b:b + step, c:c + step] = block((a, b, c), step)
        os.rename(tmp, p)


def rss_mib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(root, name, reps):
    kind, layout = name[3:].rsplit("-", 1)
    if layout not in LAYOUTS:
        sys.exit(f"peer_zarr2.py: zarr-python 2 cannot read layout '{layout}' (no Zarr v3, no sharding)")
    src_path = path_of(root, layout)
    src = zarr.open(src_path, mode="r")
    edge = src.chunks[0]
    baseline = rss_mib("VmRSS")
    dask.config.set(scheduler="threads", num_workers=2)
    pool = ThreadPoolExecutor(2)
    outputs = []
    check = {}

    def read_all():
        a = da.from_zarr(src).compute()
        check["last"] = int(a[-1, -1, -1])
        check["mid"] = int(a[513, 77, 1000])

    def read_blocks():
        per = N // edge
        keys = [(i, j, k) for i in range(per) for j in range(per) for k in range(per)]

        def one(key):
            i, j, k = key
            return int(src[i * edge:(i + 1) * edge, j * edge:(j + 1) * edge, k * edge:(k + 1) * edge][-1, -1, -1])

        check["sum_last"] = sum(pool.map(one, keys))
        check["expected"] = sum(value((i + 1) * edge - 1, (j + 1) * edge - 1, (k + 1) * edge - 1) for i, j, k in keys)

    def roundtrip():
        out = os.path.join(root, f"peer-roundtrip-{layout}-{os.getpid()}-{len(outputs)}")
        outputs.append(out)
        dst = zarr.open(out, mode="w", shape=src.shape, chunks=src.chunks, dtype=src.dtype, compressor=src.compressor,
                        fill_value=0)
        da.from_zarr(src).to_zarr(dst)

    fn = {"read-all": read_all, "read-chunks": read_blocks, "read-inner": read_blocks, "roundtrip": roundtrip}[kind]
    fn()  # warm-up
    walls = []
    cpus = []
    for _ in range(reps):
        for out in outputs:
            shutil.rmtree(out, ignore_errors=True)
        os.sync()
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    if kind == "read-all" and (check["last"] != value(N - 1, N - 1, N - 1) or check["mid"] != value(513, 77, 1000)):
        sys.exit(f"peer_zarr2.py: {name}: wrong values read")
    if kind in ("read-chunks", "read-inner") and check["sum_last"] != check["expected"]:
        sys.exit(f"peer_zarr2.py: {name}: wrong values read")
    if kind == "roundtrip":
        r = zarr.open(outputs[-1], mode="r")
        if int(r[513, 77, 1000]) != value(513, 77, 1000) or int(r[-1, -1, -1]) != value(N - 1, N - 1, N - 1):
            sys.exit(f"peer_zarr2.py: {name}: wrong values written")
        for out in outputs:
            shutil.rmtree(out, ignore_errors=True)
    median = statistics.median(walls)
    print(json.dumps({"workload": name, "median_s": median, "min_s": min(walls), "max_s": max(walls),
                      "GBps_median": NBYTES / median / 1e9, "walls": walls, "reps": reps,
                      "cpu_s_median": statistics.median(cpus),
                      "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "baseline_rss_mib": round(baseline, 1), "mode": "zarr-python-" + zarr.__version__,
                      "dask": dask.__version__}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "prepare":
        prepare(sys.argv[2])
    elif len(sys.argv) == 5 and sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
