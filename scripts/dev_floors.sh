#!/usr/bin/env bash
# Dev-set floors: the learned stages' scores on ../shared/data must not fall below what was
# measured when they landed (a few points of slack). Run by .ci/run after the tests, with the
# release binary built. Skips, saying so, when ../shared/data is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
bin=target/release/sitrep
if [ ! -d "$data" ]; then
  echo "dev floors: SKIPPED (../shared/data absent)"
  exit 0
fi
fail=0
# floor NAME VALUE MIN: fails when VALUE < MIN.
floor() {
  if python3 -c "import sys; sys.exit(0 if float('$2') >= float('$3') else 1)"; then
    echo "dev floor ok:   $1 = $2 (floor $3)"
  else
    echo "dev floor FAIL: $1 = $2 (floor $3)"
    fail=1
  fi
}
# eval_field FILE EXPR: one figure of `sitrep eval --json` on a dev file (EXPR indexes the JSON).
eval_field() {
  "$bin" eval --json --gold "$data/$1" | python3 -c "import json,sys; s=json.load(sys.stdin); print($2)"
}

# Stages append their floors below.

exit $fail
