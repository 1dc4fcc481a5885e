#!/usr/bin/env bash
# One entry point for a fresh Debian machine with the .NET 10 SDK:
#   ./build.sh quickstart [FOLDER]   installs the native c-blosc library and runs samples/Quickstart on a local directory store
#   ./build.sh test                  installs everything the tests need (c-blosc, zarr-python & co, node) and runs every test,
#                                    then the storage and interop tests again with the managed blosc (ZARR_BLOSC=managed)
# Packages are installed with apt-get only when missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")"

RUNTIME_PACKAGES=(libblosc1)
# The tests run the real peers: zarr-python 2 (Debian's python3-zarr) and xarray, and zarrita.js (pinned in
# tests/fixtures/js/package-lock.json, installed by the fixture scripts with npm ci). The fixtures are generated from
# them by tests/fixtures/python/generate.py on the first test run.
TEST_PACKAGES=(libblosc1 python3-zarr python3-numcodecs python3-numpy python3-zstandard python3-blosc python3-crc32c
  python3-xarray python3-pandas radosgw ceph-mon ceph-osd python3-boto3 redis-server)
TEST_PACKAGES+=(chromium chromium-driver python3-selenium)  # the dashboard's browser test
TEST_PACKAGES+=(libzstd1) # the zstd codec's native library (tests/Zarr.Storage.Tests/Codecs/ZstdNativeTests.cs)
TEST_PACKAGES+=(liblzma5 libzfp1 python3-zfpy) # numcodecs lzma and zfpy: the native libraries and zfpy as a peer (tests/Zarr.Storage.Tests/Codecs/LzmaCodecTests.cs, ZfpyCodecTests.cs)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "build.sh: need root (or sudo) to run: $*" >&2; exit 1; fi
}

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  # node and npm may come from Debian or from elsewhere (nodesource ships npm inside nodejs): install only if absent.
  if [ "${NEED_NODE:-0}" = 1 ]; then
    command -v node >/dev/null || missing+=(nodejs)
    command -v npm >/dev/null || missing+=(npm)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

require_dotnet() {
  if ! command -v dotnet >/dev/null; then
    echo "build.sh: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
    exit 1
  fi
}

case "${1:-}" in
  quickstart)
    require_dotnet
    install_packages "${RUNTIME_PACKAGES[@]}"
    shift
    exec dotnet run -c Release --project samples/Quickstart -- "$@"
    ;;
  test)
    require_dotnet
    NEED_NODE=1 install_packages "${TEST_PACKAGES[@]}"
    if [ -f ../shared/conformance/v2/manifest.json ] || [ -n "${ZARR_CONFORMANCE:-}" ]; then
      echo "build.sh: the extra conformance corpus (${ZARR_CONFORMANCE:-../shared/conformance}) is read too, beside the generated fixtures"
    else
      echo "build.sh: no extra conformance corpus beside the repository (../shared/conformance); the generated fixtures cover every feature"
    fi
    log="$(mktemp)"
    status=0
    dotnet test Zarr.Dataflow.sln -c Release 2>&1 | tee "$log" || status=$?
    # Blosc again, managed: the storage and interop tests with the managed implementation of c-blosc's format instead of
    # libblosc (what a machine without it runs). Their counts join the closing line. The slow ones (writer processes
    # killed or racing for minutes: they test the stores, not blosc) ran once above.
    echo "build.sh: the storage and interop tests again with ZARR_BLOSC=managed (without the slow ones)"
    for project in tests/Zarr.Storage.Tests tests/Zarr.Interop.Tests; do
      ZARR_BLOSC=managed dotnet test "$project" -c Release --no-build --filter "Category!=Slow" 2>&1 | tee -a "$log" || status=$?
    done
    # One closing line for the whole run, summed over the test projects: the last line printed.
    summary=$(awk '/(Passed|Failed)! +- +Failed:/ {
           for (i = 1; i <= NF; i++) { v = $(i+1); gsub(",", "", v);
             if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v }
         }
         END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log")
    rm -f "$log"
    # The README's first command must keep working: run the Quickstart too, into a throw-away folder.
    sample_dir="$(mktemp -d)"
    if ! dotnet run -c Release --project samples/Quickstart -- "$sample_dir" >/dev/null; then
      echo "build.sh: samples/Quickstart failed" >&2
      status=1
    else
      echo "samples/Quickstart: ok"
    fi
    rm -rf "$sample_dir"
    echo "$summary"
    exit "$status"
    ;;
  *)
    echo "usage: ./build.sh quickstart [FOLDER] | ./build.sh test" >&2
    exit 2
    ;;
esac
