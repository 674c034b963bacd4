#!/usr/bin/env bash
# Installs everything r1-reward needs on a fresh Debian machine with Node 20: system packages
# (bubblewrap for the sandbox, g++, python3, python3-grpcio for the gRPC client test), npm dependencies, and the compiled build.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_nodedir=${npm_config_nodedir:-/usr}

need_apt=()
for pair in "bwrap:bubblewrap" "g++:g++" "python3:python3"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need_apt+=("${pair#*:}")
done
# grpcio for the Python gRPC client test (Debian's build, for Debian's /usr/bin/python3)
/usr/bin/python3 -c 'import grpc, google.protobuf' >/dev/null 2>&1 || need_apt+=(python3-grpcio python3-protobuf)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent

# WebGPU backend: a Vulkan software driver Dawn accepts (Mesa 25 lavapipe), unpacked into .cache/vk/.
bash scripts/webgpu-driver.sh
