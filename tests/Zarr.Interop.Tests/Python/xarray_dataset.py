#!/usr/bin/python3
"""xarray (Debian's python3-xarray over zarr-python 2.13) on both sides of Zarr.Dataflow.

  xarray_dataset.py write SRC
      Writes a dataset with xarray's ds.to_zarr(SRC, consolidated=True): a daily 'time' coordinate (CF-encoded by
      xarray as int64 'days since 2020-01-01' with "fill_value": null), a float64 variable with NaNs, a bool variable
      and attributes. Prints the .zarray fill_value of each variable as JSON.

  xarray_dataset.py compare SRC COPY...
      Opens SRC and each COPY with xr.open_zarr and requires xr.testing.assert_identical(original, copy). Prints
      "OK <copy>" or "FAIL <copy>: why" per copy and exits 1 on any failure.

  xarray_dataset.py check-ours DIR
      Opens DIR/dataset.zarr, a v2 group written by Zarr.Dataflow, with xr.open_zarr and compares it with the dataset
      DIR/expected.json describes ({"n", "title", "temperature": [number or null], "is_wet": [bool]}). Prints "OK" or
      "FAIL: why" and exits 1 on failure.
"""

import json
import os
import sys
import traceback
import warnings

import numpy as np
import pandas as pd
import xarray as xr

N = 20


def dataset():
    time = pd.date_range("2020-01-01", periods=N, freq="D")
    temperature = np.linspace(-5.0, 14.0, N)
    temperature[[3, 11]] = np.nan
    ds = xr.Dataset(
        {
            "temperature": ("time", temperature, {"units": "degC", "long_name": "air temperature"}),
            "is_wet": ("time", np.arange(N) % 3 == 0, {"long_name": "rain that day"}),
        },
        coords={"time": ("time", time, {"standard_name": "time"})},
        attrs={"title": "written by xarray", "days": N},
    )
    return ds


def open_dataset(path):
    # chunks=None: numpy arrays, no dask; load() so that the comparison reads every chunk.
    return xr.open_zarr(path, consolidated=True, chunks=None).load()


def write(src):
    ds = dataset()
    encoding = {name: {"chunks": (6,)} for name in ("time", "temperature", "is_wet")}
    ds.to_zarr(src, consolidated=True, encoding=encoding, mode="w-")
    fills = {}
    for name in ("time", "temperature", "is_wet"):
        with open(os.path.join(src, name, ".zarray"), encoding="utf-8") as f:
            fills[name] = json.load(f)["fill_value"]
    print(json.dumps({"fill_values": fills}))


def compare(src, copies):
    original = open_dataset(src)
    xr.testing.assert_identical(original, dataset())
    failed = 0
    for path in copies:
        try:
            with warnings.catch_warnings():
                # A NaT made from a 0 that became a missing value warns; the comparison below says what differs.
                warnings.simplefilter("ignore", RuntimeWarning)
                copy = open_dataset(path)
            xr.testing.assert_identical(original, copy)
            if copy.time.values[0] != np.datetime64("2020-01-01"):
                raise AssertionError("the first time is %r" % copy.time.values[0])
            print("OK %s" % path)
        except Exception as e:  # reported per copy
            failed += 1
            print("FAIL %s: %s" % (path, "".join(traceback.format_exception_only(type(e), e)).strip().replace("\n", " | ")))
    return failed


def check_ours(folder):
    with open(os.path.join(folder, "expected.json"), encoding="utf-8") as f:
        e = json.load(f)
    n = e["n"]
    expected = xr.Dataset(
        {
            "temperature": ("time", np.array([np.nan if v is None else v for v in e["temperature"]], dtype="<f8"), {"units": "degC"}),
            "is_wet": ("time", np.array(e["is_wet"], dtype=bool)),
        },
        coords={"time": ("time", pd.date_range("2020-01-01", periods=n, freq="D"), {"standard_name": "time"})},
        attrs={"title": e["title"]},
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ours = open_dataset(os.path.join(folder, "dataset.zarr"))
        xr.testing.assert_identical(expected, ours)
        why = []
        if "_FillValue" in ours.time.encoding:
            why.append("time has a _FillValue (%r); it has none" % ours.time.encoding["_FillValue"])
        if ours.time.encoding.get("units") != "days since 2020-01-01" or ours.time.encoding.get("calendar") != "proleptic_gregorian":
            why.append("time encoding %r" % ours.time.encoding)
        if not np.isnan(ours.temperature.encoding.get("_FillValue", 0.0)):
            why.append("temperature _FillValue %r, expected NaN" % ours.temperature.encoding.get("_FillValue"))
        if why:
            raise AssertionError("; ".join(why))
        print("OK")
        return 0
    except Exception as ex:  # reported
        print("FAIL: %s" % "".join(traceback.format_exception_only(type(ex), ex)).strip().replace("\n", " | "))
        return 1


def main():
    command = sys.argv[1]
    if command == "write":
        write(sys.argv[2])
        return 0
    if command == "compare":
        return 1 if compare(sys.argv[2], sys.argv[3:]) else 0
    if command == "check-ours":
        return check_ours(sys.argv[2])
    print("unknown command %r" % command, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
