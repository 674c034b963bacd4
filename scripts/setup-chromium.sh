#!/usr/bin/env bash
# Chromium from Debian's packages, for the test that renders `r1-reward eval --html` in a real headless
# browser. Installed only when missing; nothing else depends on it.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
