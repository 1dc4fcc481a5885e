#!/usr/bin/python3
"""Reads Zarr v2 arrays written by Zarr.Dataflow with zarr-python 2.13 and compares them with the values meant.

  read_v2.py FOLDER

FOLDER/expected.json lists {"path", "dtype", "shape", "order", "compressor_id", "fill_value", "attributes"}; each
array's values are FOLDER/<path>.bin: C order, little-endian, the dtype's kind and size. Prints "OK <path>" or
"FAIL <path>: why" per array and exits 1 on any failure.
"""

import json
import os
import sys

import numpy as np
import zarr

folder = sys.argv[1]
with open(os.path.join(folder, "expected.json"), encoding="utf-8") as f:
    expected = json.load(f)

failed = 0
for e in expected:
    path = e["path"]
    why = []
    try:
        z = zarr.open_array(os.path.join(folder, path), mode="r")
        got = z[...]
        dt = np.dtype(e["dtype"])
        meant = np.frombuffer(open(os.path.join(folder, path + ".bin"), "rb").read(),
                              dtype=dt.newbyteorder("<")).reshape(e["shape"])
        if z.dtype != dt:
            why.append("dtype %s != %s" % (z.dtype.str, dt.str))
        if list(z.shape) != e["shape"]:
            why.append("shape %s != %s" % (list(z.shape), e["shape"]))
        if z.order != e["order"]:
            why.append("order %s != %s" % (z.order, e["order"]))
        comp = z.compressor.codec_id if z.compressor is not None else None
        if comp != e["compressor_id"]:
            why.append("compressor %s != %s" % (comp, e["compressor_id"]))
        if dict(z.attrs) != e["attributes"]:
            why.append("attributes %s != %s" % (dict(z.attrs), e["attributes"]))
        fill = z.fill_value
        want = e["fill_value"]
        if isinstance(want, list):
            want = complex(want[0], want[1])
        if not ((isinstance(want, str) and want == "NaN" and np.isnan(fill)) or fill == want):
            why.append("fill_value %r != %r" % (fill, want))
        # Bit-exact comparison except that any NaN equals any NaN (-0.0 must stay -0.0).
        a = got.astype(dt.newbyteorder("<"))
        b = meant
        if a.shape != b.shape:
            why.append("values: shapes differ")
        elif dt.kind in "fc":
            fa = a.reshape(-1).view("<f%d" % (dt.itemsize // (2 if dt.kind == "c" else 1)))
            fb = b.reshape(-1).view("<f%d" % (dt.itemsize // (2 if dt.kind == "c" else 1)))
            nan_a, nan_b = np.isnan(fa), np.isnan(fb)
            ua = fa.view("<u%d" % fa.dtype.itemsize)
            ub = fb.view("<u%d" % fb.dtype.itemsize)
            if not (np.array_equal(nan_a, nan_b) and np.array_equal(ua[~nan_a], ub[~nan_b])):
                bad = np.flatnonzero((nan_a != nan_b) | (~nan_a & (ua != ub)))
                why.append("values differ at %d places, first flat index %d: %r != %r" % (len(bad), bad[0], fa[bad[0]], fb[bad[0]]))
        elif not np.array_equal(a, b):
            bad = np.flatnonzero(a.reshape(-1) != b.reshape(-1))
            why.append("values differ at %d places, first flat index %d: %r != %r" % (len(bad), bad[0], a.reshape(-1)[bad[0]], b.reshape(-1)[bad[0]]))
    except Exception as ex:  # noqa: BLE001 - every failure is reported
        why.append("%s: %s" % (type(ex).__name__, ex))
    if why:
        failed += 1
        print("FAIL %s: %s" % (path, "; ".join(why)))
    else:
        print("OK %s" % path)

sys.exit(1 if failed else 0)
