#!/usr/bin/python3
"""A climate cube of several GiB for samples/ClimateAnalytics (issue 16), and the check of the sample's output.

  /usr/bin/python3 benchmarks/analytics/climate_big.py make OUT [--steps 2922] [--lat 360] [--lon 768]
      Writes OUT as xarray's to_zarr lays out a dataset (Zarr v2, consolidated, _ARRAY_DIMENSIONS, CF time): float32
      temp(time, lat, lon), daily from 2000-01-01, chunks (365, 90, 96), Blosc lz4 (zarr's default); a seasonal cycle,
      a trend of 0.002 per day, noise, 5 % NaN at random and the cells of a fixed 'land' mask always NaN. The defaults
      give 2922 x 360 x 768 float32 = 3.0 GiB. It is written one time chunk at a time (about 400 MiB in memory).
  /usr/bin/python3 benchmarks/analytics/climate_big.py check IN OUT
      Compares the sample's OUT with xarray + dask on IN: climatology with groupby("time.month").mean(), trend with
      numpy's polyfit (every cell through the closed form of the same least squares, and np.polyfit itself on 2000
      random cells), p90 with nanpercentile, anomaly with temp - climatology; all over blocks of lat rows, so memory
      stays bounded (the cube's months in float64, as the sample computes them). Prints the largest differences and exits 1 when one is over its tolerance.
"""
import argparse
import sys
import time as clock

import numpy as np
import zarr


def make(out, steps, nlat, nlon):
    rng = np.random.default_rng(16)
    lat = np.linspace(-89.75, 89.75, nlat)
    lon = np.linspace(0, 360, nlon, endpoint=False)
    root = zarr.open_group(out, mode="w")
    t = root.create_dataset("time", data=np.arange(steps, dtype="int64"), chunks=(steps,), fill_value=None)
    t.attrs.update({"_ARRAY_DIMENSIONS": ["time"], "units": "days since 2000-01-01", "calendar": "proleptic_gregorian",
                    "standard_name": "time"})
    a = root.create_dataset("lat", data=lat, chunks=(nlat,), fill_value=None)
    a.attrs.update({"_ARRAY_DIMENSIONS": ["lat"], "units": "degrees_north"})
    o = root.create_dataset("lon", data=lon, chunks=(nlon,), fill_value=None)
    o.attrs.update({"_ARRAY_DIMENSIONS": ["lon"], "units": "degrees_east"})
    temp = root.create_dataset("temp", shape=(steps, nlat, nlon), chunks=(365, 90, 96), dtype="<f4", fill_value=np.nan)
    temp.attrs.update({"_ARRAY_DIMENSIONS": ["time", "lat", "lon"], "units": "degC", "long_name": "air temperature"})
    land = rng.random((nlat, nlon)) < 0.03
    base = 25 * np.cos(np.deg2rad(lat))[:, None] + 2 * np.sin(np.deg2rad(lon))[None, :]
    start = np.datetime64("2000-01-01")
    for t0 in range(0, steps, 365):
        t1 = min(steps, t0 + 365)
        days = np.arange(t0, t1)
        doy = ((start + days.astype("timedelta64[D]")) - (start + days.astype("timedelta64[D]")).astype("datetime64[Y]")).astype(int) + 1
        season = 10 * np.sin(2 * np.pi * doy / 365.25)[:, None, None] * np.sign(lat)[None, :, None]
        block = (base[None] + season + 0.002 * days[:, None, None]).astype("float32")
        block += rng.standard_normal(block.shape, dtype="float32")
        block[rng.random(block.shape, dtype="float32") < 0.05] = np.nan
        block[:, land] = np.nan
        temp[t0:t1] = block
        print(f"  time {t0}..{t1} written", file=sys.stderr)
    zarr.consolidate_metadata(out)
    print(f"{out}: temp{temp.shape} float32 = {temp.nbytes / 2**30:.2f} GiB, chunks {temp.chunks}")


def check(inp, out, rows):
    import xarray as xr
    src = xr.open_zarr(inp)
    res = xr.open_zarr(out)
    temp = src.temp
    days = ((src.time - src.time[0]) / np.timedelta64(1, "D")).values.astype("float64")
    months = src.time.dt.month.values
    assert res.climatology.dims == ("month", "lat", "lon"), res.climatology.dims
    assert list(res.month.values) == sorted(set(months)), res.month.values
    worst = {"climatology": 0.0, "trend": 0.0, "trend_np_polyfit_sample": 0.0, "p90": 0.0, "anomaly": 0.0}
    nan_mismatch = {k: 0 for k in worst}

    def diff(name, ours, ref, scale=1.0):
        ours = np.asarray(ours, dtype="float64")
        ref = np.asarray(ref, dtype="float64")
        nan_mismatch[name] += int(np.sum(np.isnan(ours) != np.isnan(ref)))
        ok = ~np.isnan(ref) & ~np.isnan(ours)
        if ok.any():
            worst[name] = max(worst[name], float(np.max(np.abs(ours[ok] - ref[ok]) / np.maximum(scale, np.abs(ref[ok])))))

    t0 = clock.time()
    # climatology: xarray + dask's groupby mean over the whole cube in dask chunks, in float64 as the sample computes
    # (xarray's own mean of float32 data stays float32)
    clim = temp.astype("float64").groupby("time.month").mean().compute(scheduler="threads", num_workers=2)
    diff("climatology", res.climatology.values, clim.values)
    print(f"  climatology checked ({clock.time() - t0:.0f} s)", file=sys.stderr)
    rng = np.random.default_rng(1)
    xc = days - days.mean()
    for r0 in range(0, temp.shape[1], rows):
        r1 = min(temp.shape[1], r0 + rows)
        y = temp[:, r0:r1, :].values.astype("float64")
        # p90: numpy's nanpercentile, linear
        diff("p90", res.p90[r0:r1].values, np.nanpercentile(y, 90, axis=0))
        # trend: the least squares of polyfit, every cell (closed form over the non-NaN points) ...
        m = ~np.isnan(y)
        n = m.sum(0)
        xm = np.where(m, days[:, None, None], 0).sum(0) / np.maximum(n, 1)
        ym = np.nansum(y, 0) / np.maximum(n, 1)
        dx = np.where(m, days[:, None, None] - xm, 0)
        slope = (dx * np.where(m, y - ym, 0)).sum(0) / (dx * dx).sum(0)
        slope[n < 2] = np.nan
        diff("trend", res.trend[r0:r1].values, slope, 1e-6)
        # ... and numpy's polyfit itself on a sample of cells
        ours_trend = res.trend[r0:r1].values
        for _ in range(2000 * (r1 - r0) // temp.shape[1]):
            i, j = rng.integers(r1 - r0), rng.integers(temp.shape[2])
            ok = m[:, i, j]
            ref = np.polyfit(days[ok], y[ok, i, j], 1)[0] if ok.sum() > 1 else np.nan
            diff("trend_np_polyfit_sample", ours_trend[i, j], ref, 1e-6)
        # anomaly: temp minus its month's climatology, rounded to float32 as the sample writes it
        ref_anom = (y - clim.values[np.searchsorted(clim.month.values, months)][:, r0:r1, :]).astype("float32")
        diff("anomaly", res.anomaly[:, r0:r1, :].values, ref_anom, 1.0)
        so_far = ", ".join(f"{k} {v:.3g}" for k, v in worst.items())
        print(f"  lat rows {r0}..{r1} checked ({clock.time() - t0:.0f} s); largest so far: {so_far}; NaN mismatches {sum(nan_mismatch.values())}", file=sys.stderr)
        del y, m, dx
    # the anomaly is float32: a difference of one rounding step of values near 30 is 2e-6
    tol = {"climatology": 1e-9, "trend": 1e-6, "trend_np_polyfit_sample": 1e-6, "p90": 1e-9, "anomaly": 4e-6}
    bad = False
    for k in worst:
        line = f"{k}: largest relative difference {worst[k]:.3g} (tolerance {tol[k]:g}), NaN mismatches {nan_mismatch[k]}"
        bad |= worst[k] > tol[k] or nan_mismatch[k] > 0
        print(line)
    print("check: " + ("FAILED" if bad else "OK"))
    return 1 if bad else 0


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("out")
    m.add_argument("--steps", type=int, default=2922)
    m.add_argument("--lat", type=int, default=360)
    m.add_argument("--lon", type=int, default=768)
    c = sub.add_parser("check")
    c.add_argument("inp")
    c.add_argument("out")
    c.add_argument("--rows", type=int, default=30)
    a = p.parse_args()
    if a.cmd == "make":
        make(a.out, a.steps, a.lat, a.lon)
    else:
        sys.exit(check(a.inp, a.out, a.rows))
