#!/usr/bin/env bash
# Prints the commands of the README's "Try it" block, one per line, without their comments: what a
# new user runs first on a fresh clone. .ci/run runs exactly these, so the README and CI cannot drift.
set -euo pipefail
readme="${1:-$(dirname "$0")/../README.md}"
awk '
  /^## / { inside = ($0 == "## Try it") }
  inside && /^```sh$/ { block = 1; next }
  block && /^```$/ { exit }
  block {
    sub(/[[:space:]]+#.*$/, "")
    if ($0 != "") print
  }
' "$readme"
