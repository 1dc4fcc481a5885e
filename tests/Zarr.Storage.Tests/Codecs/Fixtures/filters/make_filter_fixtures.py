#!/usr/bin/python3
"""Writes filters.json: numcodecs' own encode and decode of small arrays for every filter case the C# tests check.

Run with Debian's python3-numcodecs (0.11) and python3-numpy (1.24) on x86-64:
    /usr/bin/python3 make_filter_fixtures.py
Each case: the numcodecs config, the input (hex, little-endian), numcodecs' encoded output and decode(encoded).
"""
import json
import math
import os

import numcodecs
import numpy as np

rng = np.random.default_rng(20240611)
N = 48


def ints(dtype):
    info = np.iinfo(dtype)
    edges = [info.min, info.max, 0, 1, info.max, info.min, info.min + 1, info.max - 1]
    if info.min < 0:
        edges += [-1, -2, 5]
    rest = rng.integers(info.min, info.max, size=N - len(edges), dtype=dtype, endpoint=True)
    return np.concatenate([np.array(edges, dtype=dtype), rest])


def floats(dtype, scale=1000.0):
    edges = [0.0, -0.0, 1.5, 2.5, -0.5, 0.125, 1e-7, -3.75, 12345.678]
    rest = (rng.standard_normal(N - len(edges)) * scale)
    return np.concatenate([np.array(edges), rest]).astype(dtype)


def specials(dtype):
    base = floats(dtype)
    base[-6:] = [np.nan, np.inf, -np.inf, 3e9, -3e9, 1e19]
    return base.astype(dtype)


cases = []


def add(name, codec, data):
    data = np.ascontiguousarray(data)
    enc = codec.encode(data.copy())
    enc = np.ascontiguousarray(enc)
    dec = np.ascontiguousarray(codec.decode(enc.copy()))
    cases.append({
        "case": name,
        "config": codec.get_config(),
        "input": data.astype(data.dtype.newbyteorder("<")).tobytes().hex(),
        "encoded": enc.astype(enc.dtype.newbyteorder("<")).tobytes().hex(),
        "decoded": dec.view(data.dtype).astype(data.dtype.newbyteorder("<")).tobytes().hex(),
    })


# delta: every integer and float type onto itself, and some widening and narrowing pairs
for t in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
    add(f"delta_{t}", numcodecs.Delta(dtype="<" + t), ints(t))
for t in ["f2", "f4", "f8"]:
    add(f"delta_{t}", numcodecs.Delta(dtype="<" + t), floats(t))
add("delta_i4_as_i2", numcodecs.Delta(dtype="<i4", astype="<i2"), ints("i4"))
add("delta_i2_as_i4", numcodecs.Delta(dtype="<i2", astype="<i4"), ints("i2"))
add("delta_u1_as_i2", numcodecs.Delta(dtype="|u1", astype="<i2"), ints("u1"))
add("delta_i8_as_u4", numcodecs.Delta(dtype="<i8", astype="<u4"), ints("i8"))
add("delta_f8_as_f4", numcodecs.Delta(dtype="<f8", astype="<f4"), floats("f8"))
add("delta_f4_as_f8", numcodecs.Delta(dtype="<f4", astype="<f8"), floats("f4"))
add("delta_ramp_i4", numcodecs.Delta(dtype="<i4"), np.arange(N, dtype="i4") * 7 - 100)

# fixedscaleoffset: f8/f4 to integers (ties rounded half to even, out of range wrapping) and floats
ramp = np.linspace(1000, 1001, N)
add("fso_f8_u1", numcodecs.FixedScaleOffset(offset=1000, scale=10, dtype="<f8", astype="|u1"), ramp)
add("fso_f8_u1_ties", numcodecs.FixedScaleOffset(offset=0, scale=1, dtype="<f8", astype="|u1"),
    np.array([0.5, 1.5, 2.5, 3.5, -0.5, 254.5, 255.5, 256.4, 300.7, -1.5, -2.5, 127.5] * 4))
add("fso_f8_u2", numcodecs.FixedScaleOffset(offset=1000, scale=10**3, dtype="<f8", astype="<u2"), ramp)
add("fso_f8_i4", numcodecs.FixedScaleOffset(offset=-12.5, scale=1000, dtype="<f8", astype="<i4"), floats("f8"))
add("fso_f8_i2_corpus", numcodecs.FixedScaleOffset(offset=-50, scale=8, dtype="<f8", astype="<i2"), floats("f8", 100))
add("fso_f8_i8", numcodecs.FixedScaleOffset(offset=0.1, scale=0.3, dtype="<f8", astype="<i8"), floats("f8"))
add("fso_f4_u1", numcodecs.FixedScaleOffset(offset=1000, scale=10, dtype="<f4", astype="|u1"), ramp.astype("f4"))
add("fso_f4_i2", numcodecs.FixedScaleOffset(offset=0.1, scale=3.3, dtype="<f4", astype="<i2"), floats("f4"))
add("fso_f8_f4", numcodecs.FixedScaleOffset(offset=3.25, scale=7.5, dtype="<f8", astype="<f4"), floats("f8"))
add("fso_f8_f8", numcodecs.FixedScaleOffset(offset=3.25, scale=7.5, dtype="<f8"), floats("f8"))
add("fso_f4_f4", numcodecs.FixedScaleOffset(offset=3.25, scale=7.5, dtype="<f4"), floats("f4"))

# astype: numpy's casts, NaN and out-of-range included
add("astype_f8_f4", numcodecs.AsType(encode_dtype="<f4", decode_dtype="<f8"), specials("f8"))
add("astype_f4_f2", numcodecs.AsType(encode_dtype="<f2", decode_dtype="<f4"), specials("f4"))
add("astype_f8_f2", numcodecs.AsType(encode_dtype="<f2", decode_dtype="<f8"), specials("f8"))
for t in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
    add(f"astype_f8_{t}", numcodecs.AsType(encode_dtype=np.dtype(t).str, decode_dtype="<f8"), specials("f8"))
    add(f"astype_f4_{t}", numcodecs.AsType(encode_dtype=np.dtype(t).str, decode_dtype="<f4"), specials("f4"))
add("astype_i4_i2", numcodecs.AsType(encode_dtype="<i2", decode_dtype="<i4"), ints("i4"))
add("astype_i2_i8", numcodecs.AsType(encode_dtype="<i8", decode_dtype="<i2"), ints("i2"))
add("astype_u8_i1", numcodecs.AsType(encode_dtype="|i1", decode_dtype="<u8"), ints("u8"))
add("astype_i8_f8", numcodecs.AsType(encode_dtype="<f8", decode_dtype="<i8"), ints("i8"))
add("astype_u8_f8", numcodecs.AsType(encode_dtype="<f8", decode_dtype="<u8"), ints("u8"))
add("astype_i4_f4", numcodecs.AsType(encode_dtype="<f4", decode_dtype="<i4"), ints("i4"))
add("astype_u1_f2", numcodecs.AsType(encode_dtype="<f2", decode_dtype="|u1"), ints("u1"))
add("astype_i8_f2", numcodecs.AsType(encode_dtype="<f2", decode_dtype="<i8"), ints("i8"))

# quantize: several digit counts, both float widths
for d in [0, 1, 2, 3, 5, 10, -1]:
    add(f"quantize_f8_d{d}", numcodecs.Quantize(digits=d, dtype="<f8"), floats("f8"))
for d in [1, 3, 6]:
    add(f"quantize_f4_d{d}", numcodecs.Quantize(digits=d, dtype="<f4"), floats("f4"))
add("quantize_f8_as_f4_d2", numcodecs.Quantize(digits=2, dtype="<f8", astype="<f4"), floats("f8"))
add("quantize_f4_as_f8_d2", numcodecs.Quantize(digits=2, dtype="<f4", astype="<f8"), floats("f4"))
add("quantize_ties_d0", numcodecs.Quantize(digits=0, dtype="<f8"), np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.25, 0.75, 1.25] * 6))

# quantize's scale for a range of digits, worked out as numcodecs does
scales = []
for d in range(-8, 25):
    precision = 10. ** -d
    exp = math.log(precision, 10)
    exp = int(math.floor(exp)) if exp < 0 else int(math.ceil(exp))
    bits = math.ceil(math.log(10. ** -exp, 2))
    scales.append({"digits": d, "scale": 2. ** bits})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "filters.json")
with open(out, "w") as f:
    json.dump({"numcodecs": numcodecs.__version__, "numpy": np.__version__, "cases": cases, "quantize_scales": scales}, f, indent=1)
print(out, len(cases), "cases")
