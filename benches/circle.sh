#!/usr/bin/env bash
# The level analysis and capacity against the plain run, side by side in one run (issue 14):
#   1M blocks, straight line:  --levels --capacity volunteers   vs plain   (target ≤ 1.5×)
#   100k blocks, network:      --levels --capacity volunteers   vs plain   (target ≤ 2×)
# Runs alternate (plain, circle, plain, circle …) RUNS times; prints median wall seconds.
#
#   benches/circle.sh                    # DATA=/tmp: cities in /tmp/s1m and /tmp/s100k
#   RUNS=5 DATA=/tmp benches/circle.sh
#
# The synthetic cities' stations have a `level` but no capacity: a copy of each station file
# with `volunteers` (3 + the station's number mod 17, a made-up count) is written next to it, in
# $DATA/s<N>-cap/, outside the repository; the blocks and the network are linked, not copied.
set -euo pipefail
DATA=${DATA:-/tmp}
RUNS=${RUNS:-5}
cd "$(dirname "$0")/.."
cargo build --release -q
BIN=${BIN:-$PWD/target/release/walkshed} # BIN=... to time another build

with_volunteers() { # $1 = city folder
    local src=$1 dst=$1-cap
    mkdir -p "$dst"
    python3 - "$src/stations.geojson" "$dst/stations.geojson" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src) as f:
    fc = json.load(f)
for k, feature in enumerate(fc["features"]):
    feature["properties"]["volunteers"] = 3 + k % 17
with open(dst, "w") as f:
    json.dump(fc, f, ensure_ascii=False, separators=(",", ":"))
PY
    for f in blocks.geojson walk.geojson; do
        [ -e "$src/$f" ] && ln -sf "$src/$f" "$dst/$f"
    done
    echo "$dst"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

wall() { # prints the wall seconds of one run of walkshed with the given arguments
    local t0 t1
    t0=$(date +%s.%N)
    "$BIN" "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc -l
}

side_by_side() { # $1 = label, $2 = city folder, rest = mode arguments
    local label=$1 city=$2
    shift 2
    local out plain=() circle=()
    out=$(mktemp -d)
    for _ in $(seq "$RUNS"); do
        plain+=("$(wall coverage --stations "$city/stations.geojson" --blocks "$city/blocks.geojson" \
            --minutes 5,10,15 --group-by district --outputs summary -q --out "$out/p" "$@")")
        circle+=("$(wall coverage --stations "$city/stations.geojson" --blocks "$city/blocks.geojson" \
            --minutes 5,10,15 --group-by district --outputs summary -q --out "$out/c" \
            --levels --capacity volunteers "$@")")
    done
    rm -rf "$out"
    local p c
    p=$(printf '%s\n' "${plain[@]}" | median)
    c=$(printf '%s\n' "${circle[@]}" | median)
    printf '%-28s plain %6.2f s   --levels --capacity %6.2f s   ratio %.2f×\n' \
        "$label" "$p" "$c" "$(echo "$c / $p" | bc -l)"
    printf '  runs (plain): %s\n  runs (circle): %s\n' "${plain[*]}" "${circle[*]}"
}

S1M=$(with_volunteers "$DATA/s1m")
S100K=$(with_volunteers "$DATA/s100k")
side_by_side "1M blocks, straight line" "$S1M"
side_by_side "100k blocks, network" "$S100K" --network "$S100K/walk.geojson"
