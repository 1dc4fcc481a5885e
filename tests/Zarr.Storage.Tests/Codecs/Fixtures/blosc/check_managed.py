#!/usr/bin/python3
"""Reads, with c-blosc (numcodecs, python-blosc and zarr-python 2), what the managed blosc wrote into FOLDER.

Used by ManagedBloscInteropTests. FOLDER/frames.json lists frames ({"file", "raw"}), each decoded by numcodecs and by
python-blosc; FOLDER/arrays.json lists Zarr v2 arrays ({"path", "raw", "dtype"}), each read whole by zarr-python and
compared, little-endian, with its raw values. Prints 'OK <frames> frames, <arrays> arrays' and exits 0 when everything
reads back exactly; prints each failure and exits 1 otherwise.
"""
import json
import os
import sys

import blosc
import numcodecs
import numpy as np
import zarr

folder = sys.argv[1]
failures = []


def read(name):
    with open(os.path.join(folder, name), "rb") as f:
        return f.read()


with open(os.path.join(folder, "frames.json")) as f:
    frames = json.load(f)
for case in frames:
    frame, raw = read(case["file"]), read(case["raw"])
    try:
        if bytes(numcodecs.blosc.decompress(frame)) != raw:
            failures.append("%s: numcodecs decoded other bytes" % case["file"])
        if blosc.decompress(frame) != raw:
            failures.append("%s: python-blosc decoded other bytes" % case["file"])
    except Exception as e:  # noqa: BLE001 - every failure is reported
        failures.append("%s: %s: %s" % (case["file"], type(e).__name__, e))

with open(os.path.join(folder, "arrays.json")) as f:
    arrays = json.load(f)
for case in arrays:
    try:
        z = zarr.open(os.path.join(folder, case["path"]), mode="r")
        values = z[...]
        if values.dtype.str != case["dtype"]:
            failures.append("%s: dtype %s, expected %s" % (case["path"], values.dtype.str, case["dtype"]))
        little = values if values.dtype.byteorder in ("<", "|", "=") else values.astype(values.dtype.newbyteorder("<"))
        if little.tobytes() != read(case["raw"]):
            failures.append("%s: zarr-python read other values" % case["path"])
    except Exception as e:  # noqa: BLE001
        failures.append("%s: %s: %s" % (case["path"], type(e).__name__, e))

for failure in failures:
    print(failure)
if failures:
    sys.exit(1)
print("OK %d frames, %d arrays" % (len(frames), len(arrays)))
