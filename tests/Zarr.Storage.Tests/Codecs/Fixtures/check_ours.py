#!/usr/bin/python3
"""Decodes, with numcodecs, the chunks Zarr.Dataflow's codecs wrote into FOLDER (listed in FOLDER/cases.json).

Used by NumcodecsInteropTests.What_we_compress_numcodecs_decodes. Prints 'OK <count>' and exits 0 when every
chunk decodes to exactly its raw bytes; prints each failure and exits 1 otherwise.
"""
import json
import os
import sys

import numcodecs
import numpy as np
import zstandard

folder = sys.argv[1]
with open(os.path.join(folder, "cases.json")) as f:
    cases = json.load(f)

failures = []
for case in cases:
    with open(os.path.join(folder, case["file"]), "rb") as f:
        encoded = f.read()
    with open(os.path.join(folder, case["raw"]), "rb") as f:
        raw = f.read()
    config = case["codec"]
    try:
        codec = numcodecs.get_codec(dict(config))
        decoded = bytes(codec.decode(encoded))
        if decoded != raw:
            failures.append("%s %s: decoded %d bytes that differ from the %d raw bytes" % (case["file"], config, len(decoded), len(raw)))
        if config["id"] == "zstd":
            # zstandard's one-shot reader needs the content size in the frame header.
            if zstandard.ZstdDecompressor().decompress(encoded) != raw:
                failures.append("%s: zstandard decoded other bytes" % case["file"])
        if config["id"] == "blosc" and len(raw) > 0:
            # numcodecs' own encoder must produce the same header fields (type size in particular).
            ours = encoded[3]
            theirs = numcodecs.Blosc(cname=config["cname"], clevel=config["clevel"], shuffle=config["shuffle"],
                                     blocksize=config["blocksize"]).encode(np.frombuffer(raw, dtype="u%d" % min(case["itemsize"], 8)) if case["itemsize"] <= 8 else np.frombuffer(raw, dtype="c16"))[3]
            if ours != theirs:
                failures.append("%s: blosc typesize %d, numcodecs writes %d" % (case["file"], ours, theirs))
    except Exception as e:  # noqa: BLE001 - every failure is reported
        failures.append("%s %s: %s: %s" % (case["file"], config, type(e).__name__, e))

for failure in failures:
    print(failure)
if failures:
    sys.exit(1)
print("OK %d" % len(cases))
