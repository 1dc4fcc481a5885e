#!/usr/bin/python3
"""xarray (Debian's python3-xarray 2023.01 over zarr-python 2.13) as the peer of Zarr.Storage.Datasets.

The dataset, built by dataset() below and by DatasetXarrayTests.Contents() in C# from the same formulas: a daily 'time'
coordinate, a decreasing float 'lat' and a float 'lon', float32 'temp' (time, lat, lon) with NaNs, float64 'precip'
packed as int16 (scale_factor 0.1, add_offset 5, _FillValue -9999) with a missing value, bool 'is_wet' (time), int32
'station' (lat, lon), string and number attributes; each variable chunked its own way.

  dataset_interop.py write SRC
      ds.to_zarr(SRC, consolidated=True) with the chunkings and encodings above; then prints what xr.open_zarr(SRC)
      decodes, as JSON (see describe()).

  dataset_interop.py append SRC
      Writes the first 6 times of the dataset, then appends the other 4 with to_zarr(append_dim="time"); prints describe().

  dataset_interop.py check-ours DIR [append]
      Opens DIR with xr.open_zarr and requires xr.testing.assert_identical with the dataset (the first 6 times
      then the rest appended, when 'append'), as xarray itself opens it after writing it (so that float rounding in
      the packing is xarray's on both sides), and the same time encoding xarray chose. Prints "OK" or "FAIL: why".
"""

import json
import sys
import tempfile
import traceback

import numpy as np
import pandas as pd
import xarray as xr

T, Y, X = 10, 4, 5


def dataset():
    time = pd.date_range("2020-01-01", periods=T, freq="D")
    lat = np.array([60.0, 45.0, 30.0, 15.0])
    lon = np.array([0.0, 2.5, 5.0, 7.5, 10.0])
    k = np.arange(T * Y * X).reshape(T, Y, X)
    temp = (k * 0.25 - 10.0).astype(np.float32)
    temp[1, 2, 3] = np.nan
    temp[7, 0, 0] = np.nan
    precip = k * 0.1 + 5.0
    precip[2, 1, 1] = np.nan
    station = (np.arange(Y * X) * 7).reshape(Y, X).astype(np.int32)
    return xr.Dataset(
        {
            "temp": (("time", "lat", "lon"), temp, {"units": "degC", "long_name": "air temperature"}),
            "precip": (("time", "lat", "lon"), precip, {"units": "mm", "long_name": "précipitation"}),
            "is_wet": ("time", np.arange(T) % 3 == 0, {"long_name": "rain that day"}),
            "station": (("lat", "lon"), station, {"long_name": "station number"}),
        },
        coords={
            "time": ("time", time, {"standard_name": "time"}),
            "lat": ("lat", lat, {"units": "degrees_north"}),
            "lon": ("lon", lon, {"units": "degrees_east"}),
        },
        attrs={"title": "written by xarray", "institution": "Zürich", "version": 3, "scale": 0.5},
    )


ENCODING = {
    "time": {"chunks": (4,)},
    "temp": {"chunks": (4, 2, 5)},
    "precip": {"chunks": (3, 4, 2), "dtype": "int16", "scale_factor": 0.1, "add_offset": 5.0, "_FillValue": -9999},
    "is_wet": {"chunks": (6,)},
    "station": {"chunks": (2, 5)},
}


def open_dataset(path):
    return xr.open_zarr(path, consolidated=True, chunks=None).load()


def json_value(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def describe(ds):
    out = {"dims": {k: int(v) for k, v in ds.dims.items()}, "coords": sorted(ds.coords), "data_vars": sorted(ds.data_vars),
           "attrs": {k: json_value(v) for k, v in ds.attrs.items()}, "variables": {}}
    for name, var in ds.variables.items():
        if np.issubdtype(var.dtype, np.datetime64):
            kind = "time"
            values = [None if pd.isnull(t) else pd.Timestamp(t).strftime("%Y-%m-%dT%H:%M:%S") for t in var.values.ravel()]
        elif var.dtype == bool:
            kind = "bool"
            values = [bool(v) for v in var.values.ravel()]
        else:
            kind = "number"
            values = [json_value(v) for v in var.values.ravel()]
        out["variables"][name] = {"dims": list(var.dims), "kind": kind, "dtype": str(var.dtype),
                                  "attrs": {k: json_value(v) for k, v in var.attrs.items()},
                                  "encoding": {k: json_value(var.encoding[k]) for k in ("units", "calendar", "scale_factor", "add_offset", "_FillValue", "dtype") if k in var.encoding and k != "dtype"},
                                  "values": values}
    return out


def write(src):
    dataset().to_zarr(src, consolidated=True, encoding=ENCODING, mode="w-")
    print(json.dumps(describe(open_dataset(src))))


def write_appended(src):
    ds = dataset()
    ds.isel(time=slice(0, 6)).to_zarr(src, consolidated=True, encoding=ENCODING, mode="w-")
    ds.isel(time=slice(6, None)).to_zarr(src, consolidated=True, append_dim="time")


def append(src):
    write_appended(src)
    print(json.dumps(describe(open_dataset(src))))


def check_ours(folder, appended):
    try:
        with tempfile.TemporaryDirectory() as tmp:
            reference = tmp + "/reference.zarr"
            if appended:
                write_appended(reference)
            else:
                dataset().to_zarr(reference, consolidated=True, encoding=ENCODING, mode="w-")
            expected = open_dataset(reference)
            ours = open_dataset(folder)
            xr.testing.assert_identical(expected, ours)
            why = []
            for name in ("time", "precip", "temp", "is_wet"):
                for key in ("units", "calendar", "scale_factor", "add_offset", "dtype"):
                    a, b = expected[name].encoding.get(key), ours[name].encoding.get(key)
                    if str(a) != str(b):
                        why.append("%s encoding %s: xarray %r, ours %r" % (name, key, a, b))
                a, b = expected[name].encoding.get("_FillValue"), ours[name].encoding.get("_FillValue")
                if not (a == b or (a is not None and b is not None and np.isnan(a) and np.isnan(b))):
                    why.append("%s _FillValue: xarray %r, ours %r" % (name, a, b))
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
    if command == "append":
        append(sys.argv[2])
        return 0
    if command == "check-ours":
        return check_ours(sys.argv[2], len(sys.argv) > 3 and sys.argv[3] == "append")
    print("unknown command %r" % command, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
