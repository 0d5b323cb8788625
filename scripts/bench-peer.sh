#!/usr/bin/env bash
# Runs walkshed and the peer pipeline (../shared/peers/peer_bench.py) side by side on the same
# synthetic city, alternating, RUNS times each, and prints a markdown table of medians: wall
# seconds, peak resident memory (/usr/bin/time -v), and the peer/walkshed ratio. Network mode is
# compared with the peer's scipy engine and with its pandana engine (contraction hierarchies).
#
#   scripts/bench-peer.sh                      # 10k, 100k, 1M blocks
#   SIZES="10000 100000" RUNS=5 scripts/bench-peer.sh > table.md
#
# Environment: SIZES (block counts), RUNS (default 3), STAGE_RUNS (runs of --timings for the
# compute / parse ratio at the largest size, default 9), DATA (where the cities go, default
# /tmp/walkshed-bench), VENV (the peer's Python, default /tmp/peers-venv), PEERS (the peers'
# folder, default ../shared/peers next to this repository). The city for N blocks has N/100
# stations and a walking network (synth.py --seed 1). Generated data stays out of the repository.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-"10000 100000 1000000"}
RUNS=${RUNS:-3}
STAGE_RUNS=${STAGE_RUNS:-9}
DATA=${DATA:-/tmp/walkshed-bench}
VENV=${VENV:-/tmp/peers-venv}
PEERS=${PEERS:-$repo/../shared/peers}
MINUTES=5,10,15

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q -r "$PEERS/requirements.txt" >&2
fi
(cd "$repo" && cargo build --release --quiet) >&2
ws="${CARGO_TARGET_DIR:-$repo/target}/release/walkshed"
network_mode=$("$ws" coverage --help | grep -q -- '--network' && echo yes || echo no)

# Prints "seconds peak_kib" of one run of the command.
measure() {
    local log
    log=$(mktemp)
    /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
    awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]} /Maximum resident/ {m=$2} END {printf "%.2f %d\n", s, m}' "$log"
    rm -f "$log"
}

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "| blocks | input MB | mode | walkshed s | peer s | peer / walkshed | walkshed peak MB | peer peak MB | walkshed peak / input |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|"
for n in $SIZES; do
    dir="$DATA/s$n"
    if [ ! -f "$dir/blocks.geojson" ]; then
        "$VENV/bin/python" "$PEERS/synth.py" --blocks "$n" --stations $((n / 100)) --seed 1 --out "$dir" --network >&2
    fi
    input_bytes=$(($(stat -c %s "$dir/blocks.geojson") + $(stat -c %s "$dir/stations.geojson")))
    base=(coverage --stations "$dir/stations.geojson" --blocks "$dir/blocks.geojson" --minutes $MINUTES --group-by district -q --out "$DATA/out")
    peer=("$VENV/bin/python" "$PEERS/peer_bench.py" --stations "$dir/stations.geojson" --blocks "$dir/blocks.geojson" --minutes $MINUTES --group-by district)
    modes=("straight-line, summary" "straight-line, all outputs")
    if [ "$network_mode" = yes ]; then modes+=("network, summary" "network vs pandana, summary"); fi
    for mode in "${modes[@]}"; do
        case $mode in
            "straight-line, summary") w=("$ws" "${base[@]}" --outputs summary); p=("${peer[@]}") ;;
            "straight-line, all outputs") w=("$ws" "${base[@]}"); p=("${peer[@]}") ;;
            "network, summary")
                w=("$ws" "${base[@]}" --outputs summary --network "$dir/walk.geojson")
                p=("$VENV/bin/python" "$PEERS/peer_bench.py" --stations "$dir/stations.geojson" --blocks "$dir/blocks.geojson" --network "$dir/walk.geojson" --engine scipy --minutes $MINUTES)
                input_bytes=$((input_bytes + $(stat -c %s "$dir/walk.geojson"))) ;;
            "network vs pandana, summary")
                w=("$ws" "${base[@]}" --outputs summary --network "$dir/walk.geojson")
                p=("$VENV/bin/python" "$PEERS/peer_bench.py" --stations "$dir/stations.geojson" --blocks "$dir/blocks.geojson" --network "$dir/walk.geojson" --engine pandana --minutes $MINUTES) ;;
        esac
        : >"$DATA/ws.txt"
        # All outputs are compared with the same peer run as the summary: keep its times.
        [ "$mode" = "straight-line, all outputs" ] || : >"$DATA/peer.txt"
        for _ in $(seq "$RUNS"); do
            measure "${w[@]}" >>"$DATA/ws.txt"
            [ "$mode" = "straight-line, all outputs" ] || measure "${p[@]}" >>"$DATA/peer.txt"
        done
        wt=$(awk '{print $1}' "$DATA/ws.txt" | median); wm=$(awk '{print $2}' "$DATA/ws.txt" | median)
        pt=$(awk '{print $1}' "$DATA/peer.txt" | median); pm=$(awk '{print $2}' "$DATA/peer.txt" | median)
        awk -v n="$n" -v in_b="$input_bytes" -v mode="$mode" -v wt="$wt" -v pt="$pt" -v wm="$wm" -v pm="$pm" 'BEGIN {
            printf "| %d | %.0f | %s | %.2f | %.2f | %.1f× | %.0f | %.0f | %.2f× |\n",
                n, in_b / 1e6, mode, wt, pt, pt / wt, wm / 1024, pm / 1024, wm * 1024 / in_b }'
    done
done

# Where walkshed's time goes at the largest size: medians of --timings (straight line, summary).
n=${SIZES##* }
dir="$DATA/s$n"
: >"$DATA/stages.txt"
for _ in $(seq "$STAGE_RUNS"); do
    "$ws" coverage --stations "$dir/stations.geojson" --blocks "$dir/blocks.geojson" --minutes $MINUTES \
        --group-by district -q --out "$DATA/out" --outputs summary --timings 2>&1 |
        awk '/reading blocks/ {r=$1} /measuring/ {m=$1} /in all/ {a=$1} END {print r, m, a, m / r}' >>"$DATA/stages.txt"
done
r=$(awk '{print $1}' "$DATA/stages.txt" | median)
m=$(awk '{print $2}' "$DATA/stages.txt" | median)
a=$(awk '{print $3}' "$DATA/stages.txt" | median)
q=$(awk '{print $4}' "$DATA/stages.txt" | median)
echo
echo "Stages at $n blocks (straight line, summary; medians of $STAGE_RUNS runs of --timings): reading blocks $r s, measuring and aggregating $m s, in all $a s. Compute / parse: $(awk -v q="$q" 'BEGIN {printf "%.3f", q}') (median of the runs' own ratios; $(awk -v r="$r" -v m="$m" 'BEGIN {printf "%.3f", m / r}') as the ratio of the medians)."
