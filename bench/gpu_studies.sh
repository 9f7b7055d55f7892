#!/usr/bin/env bash
# The studies that take hours on a CPU, on a GPU (an IMDB LSTM epoch is seconds there), each under a time limit
# and resumable, reusing the trials the studies share (LSTM 64/64 with Adam is one trial in four of them):
#   bash bench/gpu_studies.sh DATA_DIR OUT_DIR [BUDGET]      # BUDGET: full (default); tiny checks the script
# Each report lands in OUT_DIR/NAME/; keep one with
#   cp OUT_DIR/NAME/results.json bench/results/experiments/NAME-imdb-full.json && python bench/results_pages.py
# A study cut off by its time limit keeps its finished trials: run the script again with the same OUT_DIR.
set -uo pipefail
data="${1:?DATA_DIR}"
out="${2:?OUT_DIR}"
budget="${3:-full}"
mkdir -p "$out"
export PYTHONUNBUFFERED=1
study() {  # study NAME SECONDS [OPTIONS...]: one recipe into OUT_DIR/NAME, logged, kept going on failure
  local name="$1" limit="$2"; shift 2
  echo "=== $name ($(date +%T))"
  timeout "$limit" seqlab experiment run "$name" --data-dir "$data" --budget "$budget" --out "$out/$name" "$@" \
    2>&1 | tee "$out/$name.log" | tail -25
  echo "=== $name exit ${PIPESTATUS[0]}"
}
reuse=(--reuse "$out/rnn-optimizers")
study rnn-optimizers 420
[ -d "$out/rnn-optimizers/trials" ] || reuse=()
study rnn-bidirectional 240 "${reuse[@]}"
study rnn-depth 420 "${reuse[@]}"
study rnn-embedding 300 "${reuse[@]}"
study rnn-width 300
study bert-frozen-vs-finetune 600
echo "=== done $(date +%T)"
