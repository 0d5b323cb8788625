#!/usr/bin/env bash
# The level analysis and capacity give byte-identical outputs for any number of threads (issue 14),
# on the 1M-block city: every output of `--levels --capacity volunteers --max-load 200` made with
# --threads 1 and --threads 2, compared file by file. Needs $DATA/s1m-cap (see benches/circle.sh).
#
#   DATA=/tmp benches/circle-threads.sh
set -euo pipefail
DATA=${DATA:-/tmp}
cd "$(dirname "$0")/.."
cargo build --release -q
BIN=$PWD/target/release/walkshed
CITY=$DATA/s1m-cap
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for t in 1 2; do
    "$BIN" coverage --stations "$CITY/stations.geojson" --blocks "$CITY/blocks.geojson" \
        --minutes 5,10,15 --group-by district --levels --capacity volunteers --max-load 200 \
        --threads "$t" -q --out "$out/t$t"
done
diff -r "$out/t1" "$out/t2" && echo "identical: $(ls "$out/t1" | wc -l) files, --threads 1 and 2"
