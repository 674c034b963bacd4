#!/usr/bin/env bash
# Installs everything r1-reward needs on a fresh Debian machine with Node 20.19+, 22.12+ or 24 (whichever
# `node` is first on PATH): system packages (bubblewrap for the sandbox, g++, python3, python3-grpcio for
# the gRPC client test), npm dependencies, and the compiled build.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# the sandbox uses the system python (/usr/bin/python3, visible inside the read-only /usr), not a pyenv shim
# (make: node-gyp, when isolated-vm is built from source: on Node 20)
for pair in "/usr/bin/bwrap:bubblewrap" "/usr/bin/g++:g++" "/usr/bin/python3:python3" "/usr/bin/make:make"; do
  [ -x "${pair%%:*}" ] || need_apt+=("${pair#*:}")
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
# isolated-vm for this Node (npm ci ran it already; a different Node on the same node_modules needs its own line)
node scripts/install-ivm.mjs
npm run build --silent

# A headless browser for the HTML eval report test (Debian's chromium, only when missing).
bash scripts/setup-chromium.sh

# WebGPU backend: a Vulkan software driver Dawn accepts (Mesa 25 lavapipe), unpacked into .cache/vk/.
bash scripts/webgpu-driver.sh
# The code sandboxes run as unprivileged uids that read this checkout (the Python harness, the isolate
# host, isolated-vm). A clone under umask 022 is readable already; one made in a `mktemp -d` directory
# (mode 0700) is not: open its root, and say so if a parent directory still blocks them.
chmod a+rx .
d=$PWD
while [ "$d" != / ]; do
  d=$(dirname "$d")
  if [ -z "$(find "$d" -maxdepth 0 -perm -o+x 2>/dev/null)" ]; then
    echo "setup: $d is not traversable by other users; code sandboxes cannot read this checkout (make it o+x, or move the checkout)" >&2
    break
  fi
done
# the sandbox launcher (drops to a slot uid, sets rlimits, reaps bwrap's orphans)
mkdir -p sandboxes/bin
if [ ! -x sandboxes/bin/r1-launch ] || [ sandboxes/launcher.c -nt sandboxes/bin/r1-launch ]; then
  cc -O2 -o sandboxes/bin/r1-launch sandboxes/launcher.c
fi
# the Python harness and warm runner, byte-compiled by the interpreter the sandbox runs
for py in harness runner; do
  if [ ! -f sandboxes/bin/$py.pyc ] || [ sandboxes/python/$py.py -nt sandboxes/bin/$py.pyc ]; then
    /usr/bin/python3 -I -S -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' \
      sandboxes/python/$py.py sandboxes/bin/$py.pyc
  fi
done
# bubblewrap must be able to create user/pid/net namespaces here (as a non-root uid, as the service does)
if ! sandboxes/bin/r1-launch 61999 1073741824 5 64 16777216 16777216 256 -- /usr/bin/bwrap --unshare-all --unshare-user \
    --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 --proc /proc --dev /dev /usr/bin/true; then
  echo "setup: bubblewrap cannot create namespaces on this machine; the code verifier will report sandbox_error" >&2
fi
