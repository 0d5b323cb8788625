#!/usr/bin/env bash
# Site suggestions: walkshed against the exact optimum (spopt MCLP solved by HiGHS).
#
#   scripts/suggest_vs_mclp.sh STATIONS BLOCKS K [MINUTES] [RUNS]
#   scripts/suggest_vs_mclp.sh synth:N_BLOCKS:N_STATIONS:SEED - K [MINUTES] [RUNS]
#
# The second form first writes a synthetic city with the peers' generator
# (`synth.py --blocks N_BLOCKS --stations N_STATIONS --seed SEED`) and compares on it, e.g.
# `synth:10000:40:15 - 20` for a 10k-block city with 40 stations.
#
# Candidates: the centroids of the blocks no station covers within MINUTES × 60 m (written by a
# first `walkshed suggest --candidates uncovered`, then given to both tools as one point file).
# Each tool runs RUNS times (default 3), side by side; the script prints the median wall time of
# each and the gain of each tool's picks as walkshed's coverage measures it (so both answers are
# scored by one ruler), and the ratio. Needs /tmp/peers-venv and /work/shared/peers/mclp_peer.py.
set -euo pipefail
S=$1; B=$2; K=$3; MIN=${4:-5}; RUNS=${5:-3}
BIN=${WALKSHED:-target/release/walkshed}
PY=${PEER_PY:-/tmp/peers-venv/bin/python}
PEER=${PEER:-/work/shared/peers/mclp_peer.py}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

if [[ $S == synth:* ]]; then
  IFS=: read -r _ NB NS SEED <<<"$S"
  "$PY" "${SYNTH:-/work/shared/peers/synth.py}" --blocks "$NB" --stations "$NS" --seed "$SEED" \
      --out "$T/city" >&2
  S=$T/city/stations.geojson; B=$T/city/blocks.geojson
fi

# The candidate file: the centroid of every block no station covers (by walkshed's coverage).
$BIN coverage --stations "$S" --blocks "$B" --minutes "$MIN" --outputs blocks --out "$T/cov" -q
"$PY" - "$T/cov/blocks.geojson" "$T/cands.geojson" <<'PY'
import sys, warnings
import geopandas as gpd
warnings.filterwarnings("ignore")
bl = gpd.read_file(sys.argv[1], engine="pyogrio")
flag = next(c for c in bl.columns if c.startswith("ws_covered_"))
open_ = bl[~bl[flag].astype(bool)]
pts = gpd.GeoDataFrame({"id": [str(i) for i in range(len(open_))]},
                       geometry=open_.geometry.centroid.values, crs=bl.crs)
pts.to_file(sys.argv[2], driver="GeoJSON", engine="pyogrio")
print(f"candidates {len(pts)}", file=sys.stderr)
PY

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ws_times=(); peer_times=()
for r in $(seq "$RUNS"); do
  t0=$(date +%s.%N)
  $BIN suggest --stations "$S" --blocks "$B" --minutes "$MIN" --count "$K" \
      --candidates "$T/cands.geojson" --outputs summary --out "$T/ws" -q
  t1=$(date +%s.%N)
  "$PY" "$PEER" --stations "$S" --blocks "$B" --candidates "$T/cands.geojson" \
      --minutes "$MIN" --count "$K" > "$T/peer.txt"
  t2=$(date +%s.%N)
  ws_times+=("$(echo "$t1 - $t0" | bc)"); peer_times+=("$(echo "$t2 - $t1" | bc)")
done
# Score the optimum's picks with walkshed's coverage.
"$PY" - "$T/peer.txt" "$T/cands.geojson" "$T/opt.geojson" <<'PY'
import json, sys
picks = next(l.split()[1] for l in open(sys.argv[1]) if l.startswith("picks"))
feats = json.load(open(sys.argv[2]))["features"]
json.dump({"type": "FeatureCollection", "features": [feats[int(i)] for i in picks.split(",")]},
          open(sys.argv[3], "w"))
PY
$BIN coverage --stations "$S" --add-stations "$T/opt.geojson" --blocks "$B" --minutes "$MIN" \
    --outputs summary --out "$T/optcov" -q
"$PY" - "$T" <<PY
import json
T = "$T"
ws = json.load(open(f"{T}/ws/summary.json"))
opt = json.load(open(f"{T}/optcov/summary.json"))
base = ws["suggest"]["base_covered_population"]
ws_gain = ws["suggest"]["gain"]
opt_gain = opt["coverage"][0]["population_covered"] - base
peer = dict(l.split(maxsplit=1) for l in open(f"{T}/peer.txt") if not l.startswith("phase"))
print(f"K={$K} candidates={ws['suggest']['candidates']} matrix={peer['matrix'].strip()}")
print(f"walkshed gain {ws_gain:.0f}  bound {ws['suggest']['upper_bound']:.0f}  "
      f"fraction_of_bound {ws['suggest']['fraction_of_bound']:.4f}")
print(f"optimum gain (HiGHS, scored by walkshed) {opt_gain:.0f}  (as the peer scores it {float(peer['gain']):.0f})")
print(f"walkshed / optimum = {ws_gain / opt_gain:.4f}")
print(f"peer peak RSS {peer['peak_rss_mb'].strip()} MB")
PY
ws_med=$(printf '%s\n' "${ws_times[@]}" | median)
peer_med=$(printf '%s\n' "${peer_times[@]}" | median)
echo "walkshed runs: ${ws_times[*]} s (median $ws_med)"
echo "spopt MCLP runs: ${peer_times[*]} s (median $peer_med)"
echo "speed-up: $(echo "scale=1; $peer_med / $ws_med" | bc)x"
