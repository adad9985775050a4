#!/usr/bin/env bash
# The README's position-prediction table (issue [J]): position prediction against its per-token-id
# baseline, from the CLI, on the synthetic successor task and on Brown's characters.
#   bash bench/position/run.sh                  every run below, seeds 1-3
#   bash bench/position/run.sh brown-e0:2       just these (<run>:<seed>)
# Each run writes bench/position/<run>-s<seed>.json (skipped when it exists; its log goes to
# runs/position/), then: npm run baseline:table -- bench/position
# Brown uses a cosine decay: at a constant 3e-3 the held-out accuracy of one run swung between
# 0.117 and 0.140 from one eval to the next, so the last eval was a snapshot of that noise.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/position
LOGS=runs/position # progress lines, not committed
COMMON="--preset bert-micro --objective position --eval-every 250 --log-every 100 --lr 3e-3"
SYN="--data synthetic --steps 2000"
BROWN="--data brown --tokenizer char --seq 32 --eval-batches 8 --steps 1500 --decay cosine --probe-every 500" # probes: they work on it unchanged
declare -A V=(
  [syn-e0]="$SYN --eta 0"
  [syn-e05]="$SYN --eta 0.5"
  [brown-e0]="$BROWN --eta 0"
  [brown-e05]="$BROWN --eta 0.5"
)
source bench/run-variants.sh
run_variants syn-e0 syn-e05 brown-e0 brown-e05 -- "$@"
