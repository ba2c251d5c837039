#!/usr/bin/env bash
# Debian's chromium for the trace view's browser test (test/e2e/emulator-trace-view.test.ts), which
# drives it with playwright-core at /usr/bin/chromium. Installs it only when it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
