#!/usr/bin/env bash
# Reading the same blocks from GeoJSON, Shapefile and GeoPackage, side by side: walkshed's
# "reading blocks" stage (--timings) and, for reference, GeoPandas/pyogrio reading the same
# files (read_dataframe, GDAL underneath). Runs alternate between formats, RUNS times each;
# prints a markdown table of medians and each format's ratio to GeoJSON.
#
#   scripts/bench-formats.sh                     # the 100k-block synthetic city
#   BLOCKS=/tmp/s1m/blocks.geojson RUNS=5 scripts/bench-formats.sh
#
# Environment: BLOCKS (a GeoJSON blocks file, default /tmp/s100k/blocks.geojson), STATIONS
# (default its folder's stations.geojson), RUNS (default 7), DATA (where the converted copies go,
# default /tmp/walkshed-bench-formats), VENV (the peers' Python, default /tmp/peers-venv; skipped
# when absent). Needs GDAL's ogr2ogr to make the Shapefile and GeoPackage (planners' tools make
# them the same way); walkshed itself reads them without GDAL.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
BLOCKS=${BLOCKS:-/tmp/s100k/blocks.geojson}
STATIONS=${STATIONS:-$(dirname "$BLOCKS")/stations.geojson}
RUNS=${RUNS:-7}
DATA=${DATA:-/tmp/walkshed-bench-formats}
VENV=${VENV:-/tmp/peers-venv}
BIN=${BIN:-$repo/target/release/walkshed}

mkdir -p "$DATA"
[ -f "$DATA/blocks.shp" ] || ogr2ogr -f "ESRI Shapefile" -lco ENCODING=UTF-8 "$DATA/blocks.shp" "$BLOCKS"
[ -f "$DATA/blocks.gpkg" ] || ogr2ogr -f GPKG "$DATA/blocks.gpkg" "$BLOCKS"
declare -A file=([geojson]=$BLOCKS [shp]=$DATA/blocks.shp [gpkg]=$DATA/blocks.gpkg)
formats="geojson shp gpkg"

# walkshed: the "reading blocks" line of --timings.
read_time() {
    "$BIN" coverage --stations "$STATIONS" --blocks "$1" --minutes 5,10,15 --group-by district \
        --outputs summary --out "$DATA/out" --timings -q 2>&1 >/dev/null \
        | awk '/reading blocks/ {print $1}'
}
# GeoPandas with pyogrio: the time of read_dataframe alone.
peer_time() {
    "$VENV/bin/python" -c '
import sys, time, geopandas
t = time.perf_counter(); geopandas.read_file(sys.argv[1], engine="pyogrio")
print(f"{time.perf_counter() - t:.3f}")' "$1"
}
peer=false
[ -x "$VENV/bin/python" ] && peer=true

declare -A ws py
for ((r = 0; r < RUNS; r++)); do
    for f in $formats; do
        ws[$f]+="$(read_time "${file[$f]}") "
        if $peer; then py[$f]+="$(peer_time "${file[$f]}") "; fi
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
n=$(grep -c '"Feature"' "$BLOCKS" || true)
echo "Reading $n blocks ($(basename "$BLOCKS")), medians of $RUNS alternating runs, seconds:"
echo
echo "| format | walkshed | × GeoJSON | GeoPandas + pyogrio | × GeoJSON |"
echo "| --- | --- | --- | --- | --- |"
wg=$(echo "${ws[geojson]}" | median)
pg=$($peer && echo "${py[geojson]}" | median || echo 0)
for f in $formats; do
    w=$(echo "${ws[$f]}" | median)
    if $peer; then
        p=$(echo "${py[$f]}" | median)
        printf '| %s | %.3f | %.2f | %.3f | %.2f |\n' "$f" "$w" "$(echo "$w / $wg" | bc -l)" "$p" "$(echo "$p / $pg" | bc -l)"
    else
        printf '| %s | %.3f | %.2f | – | – |\n' "$f" "$w" "$(echo "$w / $wg" | bc -l)"
    fi
done
