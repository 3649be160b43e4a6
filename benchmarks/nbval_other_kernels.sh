#!/usr/bin/env bash
# Does nbval pass on a learner's machine, not only on this one? A stand-in for another CPU:
# the nbval layer (every lesson in default mode, compared with its committed outputs) run
# with TensorFlow's oneDNN kernels switched off, so every float sum is computed in another
# order. From an empty artifacts folder, in teaching order, as CI runs it.
# Writes benchmarks/results/nbval_other_kernels.json; the pytest log goes to build/.
#
#   benchmarks/nbval_other_kernels.sh [extra pytest arguments, e.g. -k 05_dcgan]
set -uo pipefail
repository=$(cd "$(dirname "$0")/.." && pwd)
cd "$repository"
log=build/nbval_other_kernels.log
mkdir -p build
artifacts=build/nbval-artifacts-other-kernels  # models trained with these kernels stay apart
rm -rf "$artifacts"
start=$(date +%s)
COURSE_NBVAL_ARTIFACTS="$repository/$artifacts" TF_ENABLE_ONEDNN_OPTS=0 \
    .venv/bin/python -m pytest notebooks "$@" > "$log" 2>&1
status=$?
seconds=$(( $(date +%s) - start ))
summary=$(grep -E "^(=+ )?[0-9]+ (passed|failed)" "$log" | tail -n 1 | sed 's/=//g; s/^ *//; s/ *$//')
failed=$(grep -E "^FAILED " "$log" | sed 's/^FAILED //; s/ - .*//' | sed 's/.*/"&"/' | paste -sd, -)
printf '{\n  "what": "nbval on every lesson with TF_ENABLE_ONEDNN_OPTS=0 (a stand-in for another CPU)",\n  "exit_status": %d,\n  "pytest_summary": "%s",\n  "failed": [%s],\n  "seconds": %d,\n  "commit": "%s",\n  "measured": "%s"\n}\n' \
    "$status" "$summary" "$failed" "$seconds" "$(git rev-parse --short HEAD)" "$(date +%F)" \
    > benchmarks/results/nbval_other_kernels.json
cat benchmarks/results/nbval_other_kernels.json
exit "$status"
