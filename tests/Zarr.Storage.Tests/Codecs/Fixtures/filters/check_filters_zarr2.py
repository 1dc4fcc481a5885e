#!/usr/bin/python3
"""Checks v2 arrays with filters written by Zarr.Storage against zarr-python 2 (Debian python3-zarr 2.13).

    /usr/bin/python3 check_filters_zarr2.py FOLDER

FOLDER/manifest.json lists {case, path, shape, chunks, dtype, raw}: `raw` holds the values the C# side wrote (C order,
little-endian). For each case this opens our array with zarr-python, builds a reference array with the same filters,
compressor, order and fill value from the same values, and requires:
  - the values zarr-python reads from our array equal the reference's (lossy filters included: numcodecs' own result);
  - every chunk we stored, decompressed, equals the chunk zarr-python stores (the filters' output, byte for byte).
It then writes the reference values (FOLDER/<case>.expected.bin, little-endian) and the reference array itself
(FOLDER/<case>.py.zarr) for the C# side to read back. Prints "OK <case>" per case and exits 1 on the first failure.
"""
import json
import os
import sys

import numpy as np
import zarr

folder = sys.argv[1]
cases = json.load(open(os.path.join(folder, "manifest.json")))
for c in cases:
    name = c["case"]
    ours = zarr.open_array(os.path.join(folder, c["path"]), mode="r")
    dtype = np.dtype(c["dtype"])
    raw = open(os.path.join(folder, c["raw"]), "rb").read()
    values = np.frombuffer(raw, dtype=dtype.newbyteorder("<")).astype(dtype).reshape(c["shape"])
    assert ours.dtype == dtype, (name, ours.dtype, dtype)
    assert [f.get_config() for f in ours.filters or []] == c["filters"], (name, ours.filters, c["filters"])

    ref_store = {}
    ref = zarr.array(values, store=ref_store, chunks=ours.chunks, dtype=ours.dtype, filters=ours.filters,
                     compressor=ours.compressor, order=ours.order, fill_value=ours.fill_value)
    got = ours[...]
    want = ref[...]
    if not np.array_equal(got, want, equal_nan=dtype.kind == "f"):
        bad = np.argwhere(~((got == want) | (np.isnan(got) & np.isnan(want)) if dtype.kind == "f" else (got != want)))
        raise SystemExit(f"FAIL {name}: values differ at {bad[:5].tolist()}: ours {got.flat[:5]} reference {want.flat[:5]}")

    chunk_keys = [k for k in os.listdir(os.path.join(folder, c["path"])) if not k.startswith(".")]
    assert chunk_keys, name
    for key in chunk_keys:
        mine = open(os.path.join(folder, c["path"], key), "rb").read()
        theirs = ref_store[key]
        if ours.compressor is not None:
            mine = bytes(ours.compressor.decode(mine))
            theirs = bytes(ours.compressor.decode(theirs))
        if mine != bytes(theirs):
            raise SystemExit(f"FAIL {name}: chunk {key} differs after decompression ({len(mine)} vs {len(theirs)} bytes)")

    open(os.path.join(folder, name + ".expected.bin"), "wb").write(
        np.ascontiguousarray(want).astype(dtype.newbyteorder("<")).tobytes())
    zarr.array(values, store=zarr.DirectoryStore(os.path.join(folder, name + ".py.zarr")), chunks=ours.chunks,
               dtype=ours.dtype, filters=ours.filters, compressor=ours.compressor, order=ours.order,
               fill_value=ours.fill_value)
    print("OK", name, len(chunk_keys), "chunks")
