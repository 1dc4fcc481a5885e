#!/usr/bin/env bash
# Issue 16's several-GiB run of samples/ClimateAnalytics (not in CI: minutes and 6 GiB of disk): writes the 3 GiB
# cube once (climate_big.py make), runs the sample on it under /usr/bin/time -v (wall time and peak memory, "Maximum
# resident set size"), then compares its output with xarray + dask's groupby mean, numpy's polyfit and nanpercentile
# (climate_big.py check).
#
#   CLIMATE_BIG_DIR=/tmp/climate-big benchmarks/analytics/climate_big.sh [--steps 2922 --lat 360 --lon 768]
#
# CLIMATE_BIG_DIR (required, so that nothing of this size is written by accident) holds in.zarr, out.zarr and the
# logs: make.log, sample.log (the sample's output and time -v), check.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${CLIMATE_BIG_DIR:?set CLIMATE_BIG_DIR to a directory with about 6 GiB free}
mkdir -p "$dir"
if [ ! -e "$dir/in.zarr/.zmetadata" ]; then
  echo "== writing $dir/in.zarr" >&2
  /usr/bin/time -v /usr/bin/python3 "$here/climate_big.py" make "$dir/in.zarr" "$@" > "$dir/make.log" 2>&1
fi
echo "== building samples/ClimateAnalytics (Release)" >&2
dotnet build -c Release "$repo/samples/ClimateAnalytics" -v q -nologo >&2
dll=$(ls "$repo"/samples/ClimateAnalytics/bin/Release/net*/ClimateAnalytics.dll | head -1)
echo "== running the sample ($(uptime))" >&2
/usr/bin/time -v dotnet "$dll" "$dir/in.zarr" "$dir/out.zarr" > "$dir/sample.log" 2>&1
grep -E "Elapsed|Maximum resident" "$dir/sample.log"
echo "== checking against xarray + dask, numpy polyfit and nanpercentile" >&2
/usr/bin/python3 "$here/climate_big.py" check "$dir/in.zarr" "$dir/out.zarr" 2> "$dir/check.log" | tee -a "$dir/check.log"
