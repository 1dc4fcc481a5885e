# Opens the sample's OUT with xarray and compares it with what xarray and numpy compute from IN; prints one JSON object
# of the largest differences (NaN positions compared separately), dtypes and coordinate checks.
#   check_climate.py IN OUT
import json
import sys
import warnings
import numpy as np
import xarray as xr

warnings.simplefilter("ignore")
src = xr.open_zarr(sys.argv[1])
out = xr.open_zarr(sys.argv[2], consolidated=True)
temp = src.temp.astype("float64")
v = temp.values
clim = temp.groupby("time.month").mean()
anomaly = (temp.groupby("time.month") - clim).astype("float32")
days = (src.time.values - src.time.values[0]) / np.timedelta64(1, "D")
slope = np.full(v.shape[1:], np.nan)
for y in range(v.shape[1]):
    for x in range(v.shape[2]):
        ok = ~np.isnan(v[:, y, x])
        if ok.sum() >= 2:
            slope[y, x] = np.polyfit(days[ok], v[ok, y, x], 1)[0]
p90 = np.nanpercentile(v, 90, axis=0)


def differ(ours, reference, relative=False):
    ours, reference = np.asarray(ours), np.asarray(reference)
    same_nan = bool((np.isnan(ours) == np.isnan(reference)).all())
    both = ~np.isnan(ours) & ~np.isnan(reference)
    diff = np.abs(ours[both] - reference[both])
    if relative:
        diff = diff / np.maximum(np.abs(reference[both]), 1e-300)
    return {"max": float(diff.max()) if diff.size else 0.0, "same_nan": same_nan, "shape": list(ours.shape) == list(reference.shape)}


result = {
    "variables": sorted(out.data_vars),
    "dims": {n: list(out[n].dims) for n in out.data_vars},
    "dtypes": {n: str(out[n].dtype) for n in out.data_vars},
    "month": [int(m) for m in out.month.values],
    "expected_month": [int(m) for m in clim.month.values],
    "coords_equal": bool(np.array_equal(out.lat.values, src.lat.values) and np.array_equal(out.lon.values, src.lon.values)
                         and np.array_equal(out.time.values, src.time.values)),
    "climatology": differ(out.climatology.values, clim.values),
    "anomaly": differ(out.anomaly.values, anomaly.values),
    "trend": differ(out.trend.values, slope),
    "trend_scale": float(np.nanmax(np.abs(slope))),
    "p90": differ(out.p90.values, p90),
}
print(json.dumps(result))
