#!/usr/bin/env bash
# CI: a 20,000-block synthetic city run as 1x1, 2x2 and 3x3 tiles on a 2-worker Dask
# LocalCluster, merged, must be byte-identical to the one-machine run: straight line and along
# the network, `coverage` and `batch`.
#   scripts/distributed/ci_test.sh PYTHON [SPARK_PYTHON]
# PYTHON has scripts/distributed/requirements.txt installed; SPARK_PYTHON, if given, has
# requirements-spark.txt, and the Spark recipe is checked too (2x2, along the network). The city comes from synth.py in
# $PEERS (default ../shared/peers next to this repository).
set -euo pipefail
PY=${1:?usage: ci_test.sh PYTHON [SPARK_PYTHON]}
SPARK_PY=${2:-}
# Absolute paths: the checks run inside a scratch folder.
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
PY=$(absolute "$PY")
[ -z "$SPARK_PY" ] || SPARK_PY=$(absolute "$SPARK_PY")
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
# synth.py from the peers' folder: $PEERS, else ../shared/peers next to the repository, else
# /work/shared/peers. A clone with none of them (a CI machine without the peers) runs the same
# checks on the shipped Shihua sample (1,000-odd blocks) instead of the 20k synthetic city.
for p in "${PEERS:-}" "$repo/../shared/peers" /work/shared/peers; do
    if [ -n "$p" ] && [ -f "$p/synth.py" ]; then PEERS=$p; break; fi
done
BIN=${WALKSHED:-$repo/target/release/walkshed}
[ -x "$BIN" ] || (cd "$repo" && cargo build --release --quiet)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
GROUP=district
if [ -n "${PEERS:-}" ] && [ -f "$PEERS/synth.py" ]; then
    "$PY" "$PEERS/synth.py" --blocks 20000 --stations 200 --seed 7 --out "$W/city" --network >/dev/null
else
    echo "ci_test.sh: synth.py not found; testing on the Shihua sample (data/shihua)" >&2
    mkdir -p "$W/city"
    cp "$repo/data/shihua/stations.geojson" "$repo/data/shihua/blocks.geojson" "$W/city/"
    cp "$repo/data/shihua/walk.geojson" "$W/city/walk.geojson"
    GROUP=committee
fi
cat > "$W/city/batch.toml" <<TOML
[defaults]
stations = "stations.geojson"
blocks = "blocks.geojson"
minutes = [5, 10, 15]
group_by = "$GROUP"

[[scenario]]
name = "straight"

[[scenario]]
name = "network"
network = "walk.geojson"
diff = false
TOML
cd "$W"
C=(--stations city/stations.geojson --blocks city/blocks.geojson --minutes 5,10,15 --group-by "$GROUP")
fail=0
ENGINE=(dask "$PY" "$here/dask_walkshed.py" --workers 2)
check() { # NAME TILES COMMAND ARGS...: one-machine run into out, then tiled into out again
  local name=$1 tiles=$2; shift 2
  rm -rf out one
  "$BIN" "$@" --out out -q
  mv out one
  "${ENGINE[@]:1}" --tiles "$tiles" --walkshed "$BIN" -- "$@" --out out -q \
    >/dev/null 2>"$W/engine.log" || { cat "$W/engine.log"; fail=1; echo "FAIL $name $tiles: the tiled run failed"; return; }
  if diff -r one out >/dev/null; then
    echo "ok   ${ENGINE[0]} $name $tiles: $(find out -type f | wc -l) files byte-identical"
  else
    diff -rq one out | head; fail=1; echo "FAIL $name $tiles"
  fi
}
for t in 1x1 2x2 3x3; do
  check "coverage straight" $t coverage "${C[@]}"
  check "coverage network " $t coverage "${C[@]}" --network city/walk.geojson
  check "batch            " $t batch city/batch.toml
done
if [ -n "$SPARK_PY" ]; then
  ENGINE=(spark "$SPARK_PY" "$here/spark_walkshed.py" --master "local[2]")
  check "coverage network " 2x2 coverage "${C[@]}" --network city/walk.geojson
fi
exit $fail
