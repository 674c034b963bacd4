#!/usr/bin/env bash
# Prints the bin/ directory of an official Node build of one major version (default 24), fetched once
# with npm from the registry's node-<os>-<arch> package (the nodejs.org binary, with include/node for
# node-gyp) into .cache/node<major>/. Used by scripts/test.sh to run the suite on a second Node.
set -euo pipefail
cd "$(dirname "$0")/.."
major=${1:-24}
dir=.cache/node$major
if [ ! -x "$dir/bin/node" ]; then
  pkg="node-$(node -p process.platform)-$(node -p process.arch)@$major"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "$pkg" --silent >/dev/null)
  mkdir -p "$tmp/x" && tar xzf "$tmp"/*.tgz -C "$tmp/x" --strip-components=1 --no-same-owner
  mkdir -p .cache && rm -rf "$dir" && mv "$tmp/x" "$dir"
  chmod -R a+rX "$dir" # the code sandboxes' uids run this node too
fi
echo "$PWD/$dir/bin"
