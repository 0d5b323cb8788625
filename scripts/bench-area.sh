#!/usr/bin/env bash
# Area mode (`--measure area`) against the GeoPandas pipeline of scripts/area_peer.py (read,
# project, buffer, unary_union, overlay, area, shares per threshold and group), side by side on
# the same files: alternates the two RUNS times, prints each run's wall seconds and peak memory
# (/usr/bin/time -v) and a markdown line of medians with the peer/walkshed ratio; then checks the
# agreement once (per-block fractions from blocks.geojson, shares from summary.json).
#
#   scripts/bench-area.sh /tmp/s100k            # a folder with stations.geojson, blocks.geojson
#   RUNS=5 GROUP=district scripts/bench-area.sh DIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
RUNS=${RUNS:-3}
GROUP=${GROUP:-district}
VENV=${VENV:-/tmp/peers-venv}
MINUTES=5,10,15
ws="${CARGO_TARGET_DIR:-$repo/target}/release/walkshed"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() {
    local log
    log=$(mktemp)
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
    awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]} /Maximum resident/ {m=$2} END {printf "%.2f %d\n", s, m}' "$log"
    rm -f "$log"
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

w=("$ws" coverage --stations "$dir/stations.geojson" --blocks "$dir/blocks.geojson" --minutes $MINUTES
   --group-by "$GROUP" --measure area --outputs summary --out "$out/ws" -q)
p=("$VENV/bin/python" "$repo/scripts/area_peer.py" --stations "$dir/stations.geojson"
   --blocks "$dir/blocks.geojson" --minutes $MINUTES --group-by "$GROUP")
: >"$out/w.txt"; : >"$out/p.txt"
for i in $(seq "$RUNS"); do
    read -r ws_s ws_kb < <(measure "${w[@]}")
    read -r p_s p_kb < <(measure "${p[@]}")
    echo "run $i: walkshed $ws_s s ($((ws_kb / 1024)) MB), geopandas $p_s s ($((p_kb / 1024)) MB)" >&2
    echo "$ws_s $ws_kb" >>"$out/w.txt"; echo "$p_s $p_kb" >>"$out/p.txt"
done
ws_med=$(cut -d' ' -f1 "$out/w.txt" | median); p_med=$(cut -d' ' -f1 "$out/p.txt" | median)
ws_mb=$(($(cut -d' ' -f2 "$out/w.txt" | median) / 1024)); p_mb=$(($(cut -d' ' -f2 "$out/p.txt" | median) / 1024))
ratio=$(awk -v a="$p_med" -v b="$ws_med" 'BEGIN {printf "%.1f", a / b}')
echo "| $(basename "$dir") | $ws_med s | $p_med s | ${ratio}× | $ws_mb MB | $p_mb MB |"
"$ws" coverage --stations "$dir/stations.geojson" --blocks "$dir/blocks.geojson" --minutes $MINUTES \
    --group-by "$GROUP" --measure area --outputs summary,blocks --out "$out/check" -q
"${p[@]}" --compare "$out/check" 2>/dev/null | tail -1
