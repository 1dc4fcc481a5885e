#!/usr/bin/python3
"""Writes the numcodecs interop fixtures beside this script.

Run with Debian's python (apt-get install python3-numcodecs python3-zstandard python3-blosc python3-crc32c):
    /usr/bin/python3 make_fixtures.py

For every case it writes <case>.bin, the encoded bytes of data_<dtype>.bin, and lists the cases in
fixtures.json: {"case", "codec" (the numcodecs config), "dtype", "data" (the decoded file)}.
"""
import json
import os

import numpy as np
import numcodecs
import zstandard

HERE = os.path.dirname(os.path.abspath(__file__))


def data(dtype, n=1000):
    # Smooth with some noise: compressible but not trivial.
    rng = np.random.default_rng(42)
    base = np.arange(n, dtype=np.float64) / 7.0 + rng.normal(0, 2, n)
    if np.dtype(dtype).kind == "b":
        return base > n / 14.0
    return base.astype(dtype)


def main():
    cases = []
    dtypes = ["<i4", "<f8", "|u1", "<u2", "<c8"]
    for dtype in dtypes:
        raw = data(dtype)
        name = "data_" + np.dtype(dtype).str.replace("<", "").replace("|", "") + ".bin"
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(raw.tobytes())
        codecs = [
            numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE),
            numcodecs.Blosc(cname="zstd", clevel=3, shuffle=numcodecs.Blosc.BITSHUFFLE),
            numcodecs.Blosc(cname="blosclz", clevel=9, shuffle=numcodecs.Blosc.NOSHUFFLE),
            numcodecs.Blosc(cname="lz4hc", clevel=5, shuffle=numcodecs.Blosc.AUTOSHUFFLE),
            numcodecs.Blosc(cname="zlib", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE),
            numcodecs.Zlib(level=1),
            numcodecs.GZip(level=5),
            numcodecs.Zstd(level=3),
            numcodecs.LZ4(acceleration=1),
        ]
        for codec in codecs:
            config = codec.get_config()
            suffix = config["id"]
            if config["id"] == "blosc":
                suffix += "_%s_%d" % (config["cname"], config["shuffle"])
            case = "%s_%s" % (suffix, name[5:-4])
            with open(os.path.join(HERE, case + ".bin"), "wb") as f:
                f.write(codec.encode(raw))
            cases.append({"case": case, "codec": config, "dtype": dtype, "data": name})

    # A zstd frame without a content size (a streaming writer), which readers must stream.
    raw = data("<i4")
    stream = zstandard.ZstdCompressor(level=3, write_content_size=False).compressobj()
    frame = stream.compress(raw.tobytes()) + stream.flush()
    with open(os.path.join(HERE, "zstd_nosize_i4.bin"), "wb") as f:
        f.write(frame)
    cases.append({"case": "zstd_nosize_i4", "codec": {"id": "zstd", "level": 3}, "dtype": "<i4", "data": "data_i4.bin"})

    with open(os.path.join(HERE, "fixtures.json"), "w") as f:
        json.dump({"writer": "numcodecs " + numcodecs.__version__ + ", zstandard " + zstandard.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
