#!/usr/bin/env bash
# Time `.ci/run` from a clean clone of the committed main branch, install included.
# Writes benchmarks/results/ci_from_clean_clone.json. Uses pip's download cache if present
# (as CI on this machine does); pass --no-cache to measure a cold install.
set -euo pipefail
repository=$(cd "$(dirname "$0")/.." && pwd)
clone=$(mktemp -d)/course
git clone --quiet "$repository" "$clone"
[ "${1:-}" = "--no-cache" ] && export PIP_NO_CACHE_DIR=1
start=$(date +%s)
status=0
(cd "$clone" && CI=true bash .ci/run > "$clone/../ci.log" 2>&1) || status=$?
seconds=$(( $(date +%s) - start ))
summary=$(grep -E "^(=+ )?[0-9]+ (passed|failed)" "$clone/../ci.log" | tail -n 1 || true)
printf '{\n  "seconds": %d,\n  "exit_status": %d,\n  "pytest_summary": "%s",\n  "commit": "%s",\n  "measured": "%s"\n}\n' \
    "$seconds" "$status" "$summary" "$(git -C "$repository" rev-parse --short HEAD)" "$(date +%F)" \
    > "$repository/benchmarks/results/ci_from_clean_clone.json"
cat "$repository/benchmarks/results/ci_from_clean_clone.json"
echo "log: $clone/../ci.log"
