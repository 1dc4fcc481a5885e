#!/usr/bin/python3
"""Writes blosc frames and Zarr v2 arrays with c-blosc (the system's libblosc1 through python-blosc and numcodecs) into OUT.

Run by BloscCorpusTests (tests/Zarr.Storage.Tests/Codecs/Blosc/BloscCorpusTests.cs), which decodes every frame and every
chunk with the managed blosc and with c-blosc, and reads every array through the library. Deterministic (fixed seeds).

  OUT/frames/NNNN.blosc  a frame from blosc.compress; OUT/frames/NNNN.raw its input
  OUT/frames.json        [{"file", "raw", "cname", "clevel", "shuffle", "typesize", "blocksize", "kind"}]
  OUT/arrays/NAME        a Zarr v2 array written by zarr-python 2 with a numcodecs Blosc compressor
  OUT/arrays/NAME.raw    its values, C order, little-endian (strings as numpy stores them)
  OUT/arrays.json        [{"name", "dtype", "shape", "chunks", "compressor"}]

The frames cover every compressor, shuffle mode and type size 1 to 16 (and 17 to 255), levels 0 to 9, c-blosc's
automatic and odd forced block sizes, lengths that are not a multiple of the type size, buffers below blosc's 128-byte
minimum, data that does not compress, and buffers of several blocks with a short last one. The arrays cover big-endian
types, type sizes 1 to 16 (fixed strings for the odd ones), edge chunks, level 0, odd block sizes and random data.

Usage: /usr/bin/python3 make_blosc_corpus.py OUT    (OUT must be new or empty)
"""
import json
import os
import sys

import blosc
import numcodecs
import numpy as np
import zarr

CNAMES = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"]
SHUFFLES = [0, 1, 2]


def data(kind, length, typesize, rng):
    if kind == "zeros":
        return bytes(length)
    if kind == "arange":
        n = length // typesize + 1
        values = np.arange(n, dtype="<u8").view("u1").reshape(n, 8)
        width = min(typesize, 8)
        out = np.zeros((n, typesize), dtype="u1")
        out[:, :width] = values[:, :width]
        return out.tobytes()[:length]
    if kind == "smooth":
        # float32 where the type is 4 bytes; otherwise slowly varying integers of the type's width
        if typesize == 4:
            n = length // 4 + 1
            return (20 + 10 * np.sin(np.arange(n) / 300.0)).astype("<f4").tobytes()[:length]
        n = length // typesize + 1
        values = (40000 + 30000 * np.sin(np.arange(n) / 300.0)).astype("<u8").view("u1").reshape(n, 8)
        out = np.zeros((n, typesize), dtype="u1")
        out[:, :min(typesize, 8)] = values[:, :min(typesize, 8)]
        return out.tobytes()[:length]
    if kind == "noisy":
        n = length // 4 + 1
        return (20 + 10 * np.sin(np.arange(n) / 900.0) + rng.normal(0, 0.5, n)).astype("<f4").tobytes()[:length]
    if kind == "runs":
        out = bytearray()
        while len(out) < length:
            out += bytes([int(rng.integers(0, 4))]) * int(rng.integers(1, 600))
        return bytes(out[:length])
    if kind == "text":
        words = [b"zarr ", b"blosc ", b"chunk ", b"array ", b"shuffle ", b"the ", b"\n"]
        out = bytearray()
        while len(out) < length:
            out += words[int(rng.integers(0, len(words)))]
        return bytes(out[:length])
    if kind == "random":
        return rng.integers(0, 256, length, dtype="u1").tobytes()
    raise ValueError(kind)


KINDS = ["arange", "smooth", "noisy", "runs", "text", "zeros"]  # "random" has cases of its own
LEVELS = [5, 1, 9, 3, 0, 7]
BLOCKSIZES = [0, 0, 0, 200, 1000, 3333, 65543]
LENGTHS = [70000, 1000, 300001, 4099, 20000, 200000, 100, 9000, 128, 131072]


def frame_cases():
    """(cname, clevel, shuffle, typesize, blocksize, kind, length) for every frame."""
    cases = []
    i = 0
    for cname in CNAMES:
        for shuffle in SHUFFLES:
            for typesize in range(1, 17):
                clevel = LEVELS[i % len(LEVELS)]
                length = LENGTHS[(i // 2) % len(LENGTHS)]
                if cname in ("zstd", "lz4hc", "zlib") and clevel >= 7:
                    length = min(length, 70000)  # zstd 9 is zstd's level 22: slow
                if i % 5 == 0:
                    length += typesize // 2  # not a multiple of the type size
                cases.append((cname, clevel, shuffle, typesize, BLOCKSIZES[i % len(BLOCKSIZES)], KINDS[i % len(KINDS)], length))
                i += 1
            for typesize in (17, 24, 32, 100, 255):
                cases.append((cname, 5, shuffle, typesize, 0, KINDS[i % len(KINDS)], 50000 + typesize))
                i += 1
            # Data that does not compress, level 0, and a buffer of many blocks with a short last one.
            cases.append((cname, 9 if cname not in ("zstd", "lz4hc") else 5, shuffle, 8, 0, "random", 100000))
            cases.append((cname, 0, shuffle, 4, 0, "smooth", 100000))
            cases.append((cname, 5, shuffle, 4, 0, "noisy", 1024 * 1024 + 12))
    return cases


def write_frames(out):
    os.makedirs(os.path.join(out, "frames"))
    rng = np.random.default_rng(20261126)
    entries = []
    for n, (cname, clevel, shuffle, typesize, blocksize, kind, length) in enumerate(frame_cases()):
        raw = data(kind, length, typesize, rng)
        blosc.set_blocksize(blocksize)
        frame = blosc.compress(raw, typesize=typesize, clevel=clevel, shuffle=shuffle, cname=cname)
        blosc.set_blocksize(0)
        if blosc.decompress(frame) != raw:
            raise SystemExit("c-blosc does not read back its own frame %d" % n)
        name = "%04d" % n
        with open(os.path.join(out, "frames", name + ".blosc"), "wb") as f:
            f.write(frame)
        with open(os.path.join(out, "frames", name + ".raw"), "wb") as f:
            f.write(raw)
        entries.append({"file": "frames/%s.blosc" % name, "raw": "frames/%s.raw" % name, "cname": cname, "clevel": clevel,
                        "shuffle": shuffle, "typesize": typesize, "blocksize": blocksize, "kind": kind})
    with open(os.path.join(out, "frames.json"), "w") as f:
        json.dump(entries, f, indent=1)
    return len(entries)


def array_cases(rng):
    """(name, numpy values, chunks, Blosc compressor)."""
    def numbers(dtype, shape, kind="smooth"):
        n = int(np.prod(shape))
        if kind == "random":
            return rng.integers(0, 256, n * np.dtype(dtype).itemsize, dtype="u1").view(dtype).reshape(shape)
        base = 20 + 10 * np.sin(np.arange(n) / 50.0) + rng.normal(0, 0.01, n)
        if np.dtype(dtype).kind in "iu":
            base = np.arange(n) % 1000 - (0 if np.dtype(dtype).kind == "u" else 500)
        if np.dtype(dtype).kind == "c":
            base = base + 1j * base[::-1]
        return base.astype(dtype).reshape(shape)

    def strings(width, shape, unicode=False):
        n = int(np.prod(shape))
        words = ["zarr", "blosc", "a", "", "chunked", "shuffle", "ünï", "lz4hc"] if unicode else [b"zarr", b"blosc", b"a", b"", b"chunked", b"shuffle", b"\x00x", b"lz4hc"]
        values = [words[i % len(words)][:width] for i in range(n)]
        return np.array(values, dtype=("<U%d" if unicode else "S%d") % width).reshape(shape)

    B = numcodecs.Blosc
    cases = [
        ("be_i2_lz4_shuffle", numbers(">i2", (100, 37)), (30, 20), B("lz4", 5, B.SHUFFLE)),
        ("be_f4_zstd_bitshuffle", numbers(">f4", (100, 37)), (30, 20), B("zstd", 3, B.BITSHUFFLE)),
        ("be_f8_blosclz_shuffle", numbers(">f8", (64, 64)), (50, 40), B("blosclz", 9, B.SHUFFLE)),
        ("be_i8_zlib_noshuffle", numbers(">i8", (500,)), (128,), B("zlib", 1, B.NOSHUFFLE)),
        ("be_c16_lz4hc_shuffle", numbers(">c16", (40, 30)), (16, 16), B("lz4hc", 5, B.SHUFFLE)),
        ("be_u4_lz4_bitshuffle_clevel0", numbers(">u4", (1000,)), (300,), B("lz4", 0, B.BITSHUFFLE)),
        ("ts1_u1_lz4_bitshuffle", numbers("|u1", (300, 300)), (128, 100), B("lz4", 5, B.BITSHUFFLE)),
        ("ts2_f2_zstd_shuffle", numbers("<f2", (300, 300)), (128, 100), B("zstd", 5, B.SHUFFLE)),
        ("ts3_S3_lz4_shuffle", strings(3, (500,)), (200,), B("lz4", 5, B.SHUFFLE)),
        ("ts4_f4_blosclz_bitshuffle_blocksize1000", numbers("<f4", (200, 50)), (100, 50), B("blosclz", 5, B.BITSHUFFLE, blocksize=1000)),
        ("ts5_S5_zlib_bitshuffle", strings(5, (400,)), (128,), B("zlib", 5, B.BITSHUFFLE)),
        ("ts6_S6_lz4hc_noshuffle", strings(6, (400,)), (128,), B("lz4hc", 9, B.NOSHUFFLE)),
        ("ts7_S7_zstd_shuffle_blocksize333", strings(7, (900,)), (300,), B("zstd", 5, B.SHUFFLE, blocksize=333)),
        ("ts8_i8_lz4_shuffle_blocksize4097", numbers("<i8", (20000,)), (7000,), B("lz4", 5, B.SHUFFLE, blocksize=4097)),
        ("ts9_S9_blosclz_shuffle", strings(9, (300,)), (100,), B("blosclz", 5, B.SHUFFLE)),
        ("ts12_U3_zstd_bitshuffle", strings(3, (300,), unicode=True), (100,), B("zstd", 5, B.BITSHUFFLE)),
        ("ts15_S15_lz4_shuffle", strings(15, (300,)), (128,), B("lz4", 5, B.SHUFFLE)),
        ("ts16_c16_zstd_shuffle", numbers("<c16", (60, 50)), (32, 32), B("zstd", 3, B.SHUFFLE)),
        ("random_f8_lz4_shuffle", numbers("<f8", (100, 100), "random"), (64, 64), B("lz4", 5, B.SHUFFLE)),
        ("random_u1_zstd_bitshuffle", numbers("|u1", (200, 200), "random"), (128, 128), B("zstd", 9, B.BITSHUFFLE)),
        ("random_i4_blosclz_noshuffle", numbers("<i4", (5000,), "random"), (3000,), B("blosclz", 9, B.NOSHUFFLE)),
        ("clevel0_f8_zstd_shuffle", numbers("<f8", (1000,)), (300,), B("zstd", 0, B.SHUFFLE)),
        ("big_f4_lz4_shuffle", numbers("<f4", (1024, 700)), (1024, 512), B("lz4", 5, B.SHUFFLE)),
        ("big_i4_zstd_bitshuffle", numbers("<i4", (1024, 700)), (1024, 512), B("zstd", 1, B.BITSHUFFLE)),
    ]
    return cases


def little_endian(values):
    dtype = values.dtype
    if dtype.kind in "SUV" or dtype.byteorder in ("<", "|", "="):
        return values.tobytes()
    return values.astype(dtype.newbyteorder("<")).tobytes()


def write_arrays(out):
    os.makedirs(os.path.join(out, "arrays"))
    rng = np.random.default_rng(17)
    entries = []
    for name, values, chunks, compressor in array_cases(rng):
        path = os.path.join(out, "arrays", name)
        z = zarr.open(path, mode="w", shape=values.shape, chunks=chunks, dtype=values.dtype, compressor=compressor)
        z[...] = values
        back = zarr.open(path, mode="r")[...]
        if back.tobytes() != values.tobytes():
            raise SystemExit("zarr-python does not read back " + name)
        with open(path + ".raw", "wb") as f:
            f.write(little_endian(values))
        entries.append({"name": name, "dtype": values.dtype.str, "shape": list(values.shape), "chunks": list(chunks),
                        "compressor": compressor.get_config()})
    with open(os.path.join(out, "arrays.json"), "w") as f:
        json.dump(entries, f, indent=1)
    return len(entries)


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: make_blosc_corpus.py OUT")
    out = sys.argv[1]
    if os.path.exists(out) and os.listdir(out):
        raise SystemExit(out + " is not empty")
    os.makedirs(out, exist_ok=True)
    numcodecs.blosc.use_threads = False
    frames = write_frames(out)
    arrays = write_arrays(out)
    print("c-blosc %s: %d frames, %d arrays" % (blosc.blosclib_version, frames, arrays))


if __name__ == "__main__":
    main()
