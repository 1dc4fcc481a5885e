#!/usr/bin/python3
"""Generates the metadata test fixtures in this folder. Run with Debian's python3-zarr (zarr-python 2.13):

    /usr/bin/python3 tests/Zarr.Storage.Tests/Metadata/Fixtures/generate.py

* zarr-python-2.13/<case>/.zarray (and .zattrs): documents written by zarr-python 2.13 itself, which our v2 writer
  must reproduce byte for byte after a parse.
* float_repr.json: Python's repr of doubles (and of float32/float16 values widened to double), which is how both
  zarr-python 2 and 3 write finite float fill values.
"""
import json
import os
import random
import shutil
import struct

import numcodecs
import numpy as np
import zarr

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "zarr-python-2.13")

CASES = {
    "f4_default": dict(shape=(3,), dtype="f4"),
    "f8_big_nan_zlib_F_slash_attrs": dict(shape=(3, 4), chunks=(2, 2), dtype=">f8", fill_value=float("nan"),
                                          order="F", compressor=numcodecs.Zlib(3), dimension_separator="/",
                                          attrs={"a": "\u00e9\u4e2d<>&+", "b": [1.5, None], "nested": {"z": 1, "y": {}}}),
    "f4_fill_0.1": dict(shape=(10, 10), chunks=(5, 3), dtype="<f4", fill_value=0.1, compressor=None),
    "c16_fill": dict(shape=(3,), dtype="c16", fill_value=1 + 2j, compressor=numcodecs.GZip(5)),
    "u8_max_0d": dict(shape=(), dtype="u8", fill_value=2**64 - 1, compressor=None),
    "i8_min": dict(shape=(100,), chunks=(7,), dtype="i8", fill_value=-2**63, compressor=numcodecs.Zstd(3)),
    "bool_true": dict(shape=(4, 4), chunks=(2, 2), dtype="bool", fill_value=True, compressor=None),
    "f8_fill_null": dict(shape=(5,), dtype="f8", fill_value=None, compressor=None),
    "f8_neg_inf": dict(shape=(5,), dtype="f8", fill_value=float("-inf"), compressor=numcodecs.LZ4(1)),
    "f8_1e16": dict(shape=(5,), dtype="f8", fill_value=1e16, compressor=None),
    "f4_subnormal": dict(shape=(5,), dtype="f4", fill_value=float(np.float32(1e-45)), compressor=None),
    "f2_fill": dict(shape=(2, 3, 4), chunks=(1, 2, 3), dtype="<f2", fill_value=1.5, compressor=None),
    "u1_blosc_zstd": dict(shape=(1000,), chunks=(100,), dtype="u1", fill_value=7,
                          compressor=numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE)),
    "i2_big_blosc_noshuffle": dict(shape=(6, 6), chunks=(4, 4), dtype=">i2", fill_value=-5,
                                   compressor=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.NOSHUFFLE)),
    "c8_nan_neg_zero": dict(shape=(3,), dtype="<c8", fill_value=complex(float("nan"), -0.0), compressor=None),
}


def write_fixtures():
    shutil.rmtree(OUT, ignore_errors=True)
    for name, kwargs in CASES.items():
        kwargs = dict(kwargs)
        attrs = kwargs.pop("attrs", None)
        path = os.path.join(OUT, name)
        z = zarr.open(path, mode="w", **kwargs)
        if attrs:
            z.attrs.update(attrs)


def float_reprs():
    rng = random.Random(20240611)
    cases = []

    def add(kind, bits):
        if kind == "f8":
            v = struct.unpack("<d", struct.pack("<Q", bits))[0]
            hexbits = "%016x" % bits
        elif kind == "f4":
            v = float(np.frombuffer(struct.pack("<I", bits), "<f4")[0])
            hexbits = "%08x" % bits
        else:
            v = float(np.frombuffer(struct.pack("<H", bits), "<f2")[0])
            hexbits = "%04x" % bits
        if v != v or v in (float("inf"), float("-inf")):
            return
        cases.append({"kind": kind, "bits": hexbits, "repr": repr(v)})

    specials = [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 1.5e-7, 5e-324,
                2.2250738585072014e-308, 1.7976931348623157e308, 123456789.125, 3.141592653589793, 1e22, 1e21, 1e100]
    for v in specials:
        add("f8", struct.unpack("<Q", struct.pack("<d", v))[0])
    for _ in range(500):
        add("f8", rng.getrandbits(64))
    for _ in range(200):
        e = rng.randint(-30, 30)
        add("f8", struct.unpack("<Q", struct.pack("<d", rng.random() * 10.0 ** e))[0])
    for bits in [0x00000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0x3DCCCCCD, 0x80000000]:
        add("f4", bits)
    for _ in range(300):
        add("f4", rng.getrandbits(32))
    for bits in [0x0001, 0x03FF, 0x0400, 0x7BFF, 0x3C00, 0x8000]:
        add("f2", bits)
    for _ in range(200):
        add("f2", rng.getrandbits(16))
    with open(os.path.join(HERE, "float_repr.json"), "w") as f:
        json.dump({"writer": "Python %s repr" % (".".join(map(str, __import__("sys").version_info[:3]))), "cases": cases}, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    write_fixtures()
    float_reprs()
    print("zarr", zarr.__version__, "numcodecs", numcodecs.__version__, "numpy", np.__version__)
