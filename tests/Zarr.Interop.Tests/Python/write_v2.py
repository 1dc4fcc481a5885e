#!/usr/bin/python3
"""Writes Zarr v2 arrays with zarr-python 2.13 for Zarr.Interop.Tests (PythonRoundTripTests).

  write_v2.py OUT_FOLDER FIXTURE_SCRIPTS_FOLDER

Prints one JSON object: {"entries": [{"path", "dtype", "shape", "chunks", "order", "sha256", "missing_chunks",
"attributes"}...]} where sha256 is the canonical hash (tests/fixtures/python/canonical.py) of the values written.
"""

import json
import os
import sys

import numpy as np
import zarr
from numcodecs import GZip, LZ4, Blosc, Zlib, Zstd

out, scripts = sys.argv[1], sys.argv[2]
sys.path.insert(0, scripts)
import canonical as zc  # noqa: E402

entries = []


def add(name, dtype, shape, chunks, seed, store_path=None, fill_chunks=(), **kwargs):
    """Writes an array of zc.make_values (chunks in fill_chunks set to the fill value) and records it."""
    values = zc.make_values(dtype, shape, seed)
    fill = kwargs.get("fill_value", 0)
    for c in fill_chunks:
        values[tuple(slice(i * k, (i + 1) * k) for i, k in zip(c, chunks))] = fill
    path = store_path or name
    z = zarr.open_array(os.path.join(out, path), mode="w", shape=shape, chunks=chunks, dtype=dtype, **kwargs)
    z[...] = values
    key_sep = kwargs.get("dimension_separator") or "."
    missing = [key_sep.join(str(i) for i in c) for c in fill_chunks]
    for key in missing:
        assert not os.path.exists(os.path.join(out, path, key)), key
    entries.append({
        "path": path, "dtype": zc.dtype_json(z.dtype), "shape": list(shape), "chunks": list(chunks),
        "order": z.order, "sha256": zc.sha256_of(values), "missing_chunks": missing,
        "attributes": dict(z.attrs),
    })
    return z


add("f8_order_F_blosc_zstd_bitshuffle", "<f8", (37, 23), (10, 8), 1, order="F",
    compressor=Blosc(cname="zstd", clevel=3, shuffle=Blosc.BITSHUFFLE))
add("i2_big_endian_zlib", ">i2", (37, 23), (10, 8), 2, compressor=Zlib(level=6))
add("u4_dim3_lz4", "<u4", (13, 7, 9), (4, 3, 5), 3, compressor=LZ4(acceleration=2))
add("c16_order_F_gzip", "<c16", (11, 17), (4, 5), 4, order="F", compressor=GZip(level=3))
add("c8_big_endian_blosc", ">c8", (9, 10), (4, 4), 41, compressor=Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE))
add("f2_slash_zstd", "<f2", (30, 20), (7, 6), 5, dimension_separator="/", compressor=Zstd(level=1))
add("b1_fill_true_missing", "|b1", (20, 20), (8, 8), 6, fill_value=True, compressor=None,
    fill_chunks=[(1, 1), (2, 0)], write_empty_chunks=False)
add("i8_blosc_lz4_fill_minus1", "<i8", (25,), (6,), 7, fill_value=-1, compressor=Blosc(cname="lz4", clevel=9),
    fill_chunks=[(2,)], write_empty_chunks=False)
add("f4_fill_nan_missing", "<f4", (16, 16), (5, 5), 8, fill_value=np.nan, compressor=Zlib(level=1),
    fill_chunks=[(0, 0), (3, 3)], write_empty_chunks=False)
add("f8_big_endian_order_F_blosclz", ">f8", (6, 5, 4), (4, 4, 4), 9, order="F",
    compressor=Blosc(cname="blosclz", clevel=5, shuffle=Blosc.NOSHUFFLE))
add("u8_dim0", "<u8", (), (), 10, compressor=None)
add("i4_zero_size", "<i4", (0, 4), (3, 4), 11, compressor=Zlib())
add("i1_chunks_bigger", "|i1", (3, 5), (10, 10), 12, compressor=Blosc(cname="zlib", clevel=1, shuffle=Blosc.SHUFFLE))
add("u2_default_compressor", "<u2", (40, 40), (16, 16), 13)

g = zarr.open_group(os.path.join(out, "group.zarr"), mode="w")
g.attrs.update({"title": "written by zarr-python", "n": 3})
sub = g.create_group("sub")
sub.attrs["level"] = 1
arr = add("ignored", "<f4", (10, 6), (4, 4), 14, store_path="group.zarr/sub/arr")
arr.attrs["units"] = "m"
entries[-1]["attributes"] = {"units": "m"}

print(json.dumps({"zarr": zarr.__version__, "entries": entries}))
