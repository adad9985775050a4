#!/usr/bin/env bash
# The reproduction runs of the README's "Do the findings reproduce?" table: each teaching
# experiment's variants on Brown with bert-micro as it is, 1,500 steps, probes every 250 steps.
#   bash bench/repro/run.sh                    every variant, seeds 1-3 (about 6 hours on
#                                              SwiftShader with 2 cores)
#   bash bench/repro/run.sh span:2 electra:1   just these
#   PROTOCOL=char-1500 bash bench/repro/run.sh ...   the character-level protocol (T=32, lr 3e-3)
#   PROTOCOL=char-4000 bash bench/repro/run.sh ...   the same for 4,000 steps, for the findings
#                                              whose runs are still on the plateau at 1,500
#                                              (ELECTRA, attention-guided); checkpointed, so an
#                                              interrupted run continues (~1.5 h a run)
# Each run writes bench/repro/$PROTOCOL/<variant>-s<seed>.json (skipped when it exists; its log
# goes to runs/repro/), then: npm run repro:table -- bench/repro/$PROTOCOL
set -euo pipefail
cd "$(dirname "$0")/../.."
PROTOCOL=${PROTOCOL:-wordpiece-1500}
OUT=bench/repro/$PROTOCOL
LOGS=runs/repro/$PROTOCOL # progress lines, not committed
COMMON="--preset bert-micro --data brown --steps 1500 --eval-every 250 --log-every 50 --probe-every 250 --probe-budget 1"
case $PROTOCOL in
  wordpiece-1500) COMMON="$COMMON --eval-batches 4" ;;
  char-1500) COMMON="$COMMON --tokenizer char --seq 32 --lr 3e-3 --eval-batches 8" ;;
  char-4000) COMMON="$COMMON --tokenizer char --seq 32 --lr 3e-3 --eval-batches 8"
    COMMON=${COMMON/--steps 1500/--steps 4000}; export CHECKPOINT=1 ;;
  *) echo "unknown PROTOCOL $PROTOCOL (wordpiece-1500, char-1500 or char-4000)" >&2; exit 2 ;;
esac
declare -A V=(
  [random15]="--mask random"
  [random40]="--mask random --mask-rate 0.4"
  [allmask]="--mask random --mask-param maskProb=1 --mask-param randomProb=0"
  [wholeword]="--mask whole-word"
  [span]="--mask span"
  [attention]="--mask attention"
  [electra]="--objective electra --disallow-correct"
)
# At 4,000 steps ELECTRA starts from electra-micro's init (std 0.1, not 0.02): at width 32 the
# discriminator leaves its base-rate start sooner (measured on the synthetic task, README).
[ "$PROTOCOL" = char-4000 ] && V[electra]="${V[electra]} --init-std 0.1"
source bench/run-variants.sh
run_variants random15 random40 allmask wholeword span attention electra -- "$@"
