# Writes a small climate cube as xarray's to_zarr does (v2, consolidated): float32 temp(time, lat, lon) with a CF time
# coordinate, lat/lon coordinates, NaN where there is no data (5 % at random, and one cell that is always missing).
#   make_climate.py OUT STEPS FREQ CHUNK_TIME CHUNK_LAT CHUNK_LON
import sys
import numpy as np
import pandas as pd
import xarray as xr

out, steps, freq = sys.argv[1], int(sys.argv[2]), sys.argv[3]
chunks = tuple(int(c) for c in sys.argv[4:7])
rng = np.random.default_rng(7)
time = pd.date_range("2000-01-01", periods=steps, freq=freq)
lat = np.linspace(-60, 60, 13)
lon = np.arange(0, 360, 20.0)
doy = time.dayofyear.values[:, None, None]
days = ((time - time[0]) / np.timedelta64(1, "D")).values[:, None, None]
temp = 15 + 10 * np.sin(2 * np.pi * doy / 365.25) + 0.002 * days + rng.normal(0, 1, (steps, lat.size, lon.size))
temp = temp.astype("float32")
temp[rng.random(temp.shape) < 0.05] = np.nan
temp[:, 0, 0] = np.nan
ds = xr.Dataset(
    {"temp": (("time", "lat", "lon"), temp, {"units": "degC"})},
    coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north"}), "lon": ("lon", lon, {"units": "degrees_east"})},
)
ds.to_zarr(out, mode="w", encoding={"temp": {"chunks": chunks}}, consolidated=True)
