#!/usr/bin/env bash
# Tiled on Dask against one machine, side by side, alternating: REPS runs of each.
#   scripts/distributed/bench.sh PYTHON CITY_DIR TILES [REPS] [extra walkshed args...]
# PYTHON is a Python with scripts/distributed/requirements.txt installed; CITY_DIR holds
# stations.geojson and blocks.geojson (synth.py). Prints one line per run and checks that the
# merged outputs are byte-identical to the one-machine outputs.
set -euo pipefail
PY=$1; CITY=$2; TILES=$3; REPS=${4:-3}; shift 4 || shift $#
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
BIN=${WALKSHED:-$repo/target/release/walkshed}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
cd "$W"
args=(--stations "$CITY/stations.geojson" --blocks "$CITY/blocks.geojson" --minutes 5,10,15 --group-by district "$@")
for r in $(seq "$REPS"); do
  s=$(date +%s.%N); "$BIN" coverage "${args[@]}" --out one -q; e=$(date +%s.%N)
  echo "one-machine run $r: $(echo "$e - $s" | bc) s"
  s=$(date +%s.%N)
  "$PY" "$here/dask_walkshed.py" --workers 2 --tiles "$TILES" --walkshed "$BIN" -- coverage "${args[@]}" --out merged -q 2>tiles.log | tee -a dask.json
  e=$(date +%s.%N)
  echo "dask $TILES run $r: $(echo "$e - $s" | bc) s"
  diff -r one merged >/dev/null && echo "  merged == one-machine (byte-identical)"
  rm -rf merged one
done
