#!/usr/bin/env bash
# Fuzzes the readers for N minutes (default 30) with examples/fuzz.rs, in release mode, at low
# priority. An input that stops the harness (over the time limit, or a crash no catch_unwind can
# catch, such as a stack overflow) is saved to OUT/abort-<n>/ and the harness restarts with the
# next seed. Findings and a summary per seed are written to OUT (default /tmp/walkshed-fuzz).
#
#   scripts/fuzz.sh 30 /tmp/walkshed-fuzz [first seed]
set -u
minutes=${1:-30}
out=${2:-/tmp/walkshed-fuzz}
cd "$(dirname "$0")/.."
cargo build --release --example fuzz || exit 1
mkdir -p "$out"
end=$(( $(date +%s) + minutes * 60 ))
seed=${3:-1}
aborts=0
while [ "$(date +%s)" -lt "$end" ]; do
    left=$(( (end - $(date +%s)) ))
    nice target/release/examples/fuzz --minutes "$(echo "$left / 60" | bc -l)" \
        --seed "$seed" --out "$out"
    code=$?
    if [ "$code" -ne 0 ]; then
        aborts=$((aborts + 1))
        cp -r "$out/current" "$out/abort-$aborts"
        echo "seed $seed stopped with exit code $code; input saved in $out/abort-$aborts" \
            | tee -a "$out/aborts.txt"
    fi
    seed=$((seed + 1))
done
cat "$out"/summary-*.txt 2>/dev/null
