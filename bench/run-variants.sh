# Sourced by bench/*/run.sh: runs CLI training variants over seeds, one JSON per run.
#   run_variants ORDER... -- ITEM...
# needs: OUT (JSON folder), LOGS (log folder), COMMON (flags of every run), V (associative array:
# variant → its flags). ITEMs are <variant>:<seed>; none = every variant in ORDER for seeds 1-3.
# A run whose $OUT/<variant>-s<seed>.json exists is skipped, so an interrupted batch resumes.
# With CHECKPOINT=1 each run also checkpoints to $LOGS/<variant>-s<seed>/ as it goes and an
# interrupted run continues from there (--resume; its history, evals and probes come along).
run_variants() {
  local order=() items=() v seed f ck resume
  while [ $# -gt 0 ] && [ "$1" != -- ]; do order+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  items=("$@")
  if [ ${#items[@]} -eq 0 ]; then
    for seed in 1 2 3; do for v in "${order[@]}"; do items+=("$v:$seed"); done; done
  fi
  mkdir -p "$LOGS" "$OUT"
  for item in "${items[@]}"; do
    v=${item%%:*}; seed=${item##*:}
    [ -n "${V[$v]:-}" ] || { echo "unknown variant $v (have: ${!V[*]})" >&2; return 2; }
    f=$OUT/$v-s$seed.json
    [ -f "$f" ] && continue
    ck=() resume=()
    if [ "${CHECKPOINT:-0}" = 1 ]; then
      ck=(--save-dir "$LOGS/$v-s$seed")
      [ -f "$LOGS/$v-s$seed/checkpoint.mlckpt" ] && resume=(--resume "$LOGS/$v-s$seed/checkpoint.mlckpt")
    fi
    echo "$(date -u +%H:%M) $v seed $seed${resume:+ (resumed)}"
    # shellcheck disable=SC2086 # the flags are word lists
    npm run -s train -- $COMMON ${V[$v]} --seed "$seed" "${ck[@]}" "${resume[@]}" --out "$f" >> "$LOGS/$v-s$seed.log" 2>&1
  done
}
