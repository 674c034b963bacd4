#!/usr/bin/env bash
# Fetches a Vulkan software driver that Dawn accepts into .cache/vk/ without installing anything system-wide:
# Mesa >= 25 lavapipe from bookworm-backports (shader-f16, subgroups, fastest), or, if that cannot be had,
# SwiftShader from Debian's chromium-common (f32 only, slower). WEBGPU_DRIVER=lavapipe|swiftshader picks one.
# Also unpacks runtime libraries the machine lacks (the Vulkan loader libvulkan1 on a bare machine) and writes
#   .cache/vk/driver.json = {"driver", "version", "icd": <ICD json, absolute library path>, "preload": [libs]}
# which src/runner/webgpu/driver.ts reads: it sets VK_ICD_FILENAMES and dlopen()s the preload libraries
# (RTLD_GLOBAL|RTLD_NODELETE) before Dawn starts, so neither LD_LIBRARY_PATH nor a re-exec is needed.
# Idempotent and quiet. The Debian mirror comes from the machine's own apt sources; the system's apt state is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD/.cache/vk"
OUT="$ROOT/driver.json"
KIND="${WEBGPU_DRIVER:-auto}"

# Reuse the cache only when it is current: written by this script's format, its ICD still where it says.
cached_icd=$(sed -n 's/.*"icd": *"\([^"]*\)".*/\1/p' "$OUT" 2>/dev/null || true)
if [ -f "$OUT" ] && grep -q '"driver"' "$OUT" && [ -n "$cached_icd" ] && [ -f "$cached_icd" ] && [ -z "${WEBGPU_DRIVER_FORCE:-}" ]; then
  exit 0
fi
# A driver named by the environment (a real GPU's ICD, ...) is used as is.
if [ -n "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -z "${WEBGPU_DRIVER_FORCE:-}" ]; then
  exit 0
fi
fail() { echo "webgpu-driver: $*" >&2; exit 1; }
case "$KIND" in auto|lavapipe|swiftshader) ;; *) fail "WEBGPU_DRIVER must be lavapipe, swiftshader or auto, got '$KIND'";; esac
[ "$(uname -m)" = "x86_64" ] || fail "only x86_64 Debian is automated; point VK_ICD_FILENAMES at a Vulkan driver yourself"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || fail "needs apt-get and dpkg-deb (Debian bookworm)"

# First non-security Debian mirror URI from the machine's apt sources (deb822 first, then one-line lists).
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk '/^URIs:/{for(i=2;i<=NF;i++) if ($i !~ /security/) {print $i; exit}}' "$f")
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ]; then
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    mirror=$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /^[a-z+]+:\/\//) {print $i; exit}}' "$f")
    [ -n "$mirror" ] && break
  done
fi
[ -n "$mirror" ] || fail "no Debian mirror in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"

rm -rf "$ROOT/root" "$ROOT/debs" "$OUT"
mkdir -p "$ROOT/apt/lists/partial" "$ROOT/apt/cache/archives/partial" "$ROOT/debs"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""; [ -f "$keyring" ] && signed="[signed-by=$keyring] "
printf 'deb %s%s bookworm main\ndeb %s%s bookworm-backports main\n' "$signed" "$mirror" "$signed" "$mirror" \
  > "$ROOT/apt/sources.list"
APT=(apt-get -qq -o "Dir::Etc::sourcelist=$ROOT/apt/sources.list" -o Dir::Etc::sourceparts=/nonexistent
     -o "Dir::State::Lists=$ROOT/apt/lists" -o "Dir::Cache=$ROOT/apt/cache" -o Debug::NoLocking=1
     -o APT::Sandbox::User=root)
"${APT[@]}" update >/dev/null || fail "apt-get update of the private bookworm/bookworm-backports lists failed"
download() { (cd "$ROOT/debs" && "${APT[@]}" download "$@" >/dev/null 2>&1); }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Download the dependencies of the .debs in debs/ that the system lacks, to a fixed point (skipping $1...).
fetch_missing_deps() {
  declare -A seen=()
  for p in "$@"; do seen[$p]=1; done
  local queue=("$ROOT"/debs/*.deb) deb deps p
  while [ ${#queue[@]} -gt 0 ]; do
    deb=${queue[0]}; queue=("${queue[@]:1}")
    deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g')
    for p in $deps; do
      [ -n "$p" ] && [ -z "${seen[$p]:-}" ] || continue
      seen[$p]=1
      installed "$p" && continue
      download "$p" || { echo "webgpu-driver: cannot download $p" >&2; return 1; }
      queue+=("$(ls -t "$ROOT"/debs/"${p}"_*.deb | head -1)")
    done
  done
}

# Shared libraries inside the given .debs, as absolute paths under root/.
libs_of() {
  local deb f
  for deb in "$@"; do
    for f in $(dpkg-deb -c "$deb" | awk '{print $6}' | grep -E '/lib/.*\.so(\.[0-9]+)*$' | sed 's#^\./##'); do
      [ -e "$ROOT/root/$f" ] && echo "$ROOT/root/$f"
    done
  done
}

lavapipe() {
  download mesa-vulkan-drivers/bookworm-backports || { echo "webgpu-driver: no mesa-vulkan-drivers in bookworm-backports" >&2; return 1; }
  version=$(dpkg-deb -f "$ROOT"/debs/mesa-vulkan-drivers_*.deb Version)
  case "$version" in 2[5-9].*|[3-9][0-9].*) ;; *) echo "webgpu-driver: bookworm-backports has Mesa $version; Dawn needs >= 25" >&2; return 1;; esac
  fetch_missing_deps mesa-vulkan-drivers || return 1
  local deb; for deb in "$ROOT"/debs/*.deb; do dpkg -x "$deb" "$ROOT/root"; done
  local libdir="$ROOT/root/usr/lib/x86_64-linux-gnu"
  # Only lavapipe is needed from mesa-vulkan-drivers (it also ships the hardware drivers).
  find "$libdir" -maxdepth 1 -name 'libvulkan_*.so' ! -name 'libvulkan_lvp.so' -delete
  lib="$libdir/libvulkan_lvp.so"
  [ -f "$lib" ] || { echo "webgpu-driver: $lib missing after unpacking" >&2; return 1; }
  mapfile -t preload < <(libs_of $(ls "$ROOT"/debs/*.deb | grep -v '/mesa-vulkan-drivers_'))
}

swiftshader() {
  download chromium-common || { echo "webgpu-driver: cannot download chromium-common" >&2; return 1; }
  version=$(dpkg-deb -f "$ROOT"/debs/chromium-common_*.deb Version)
  dpkg -x "$ROOT"/debs/chromium-common_*.deb "$ROOT/pkg"
  mkdir -p "$ROOT/root/swiftshader"
  mv "$ROOT/pkg/usr/lib/chromium/libvk_swiftshader.so" "$ROOT/pkg/usr/lib/chromium/libvulkan.so.1" "$ROOT/root/swiftshader/"
  rm -rf "$ROOT/pkg"
  lib="$ROOT/root/swiftshader/libvk_swiftshader.so"
  preload=()
  installed libvulkan1 || preload=("$ROOT/root/swiftshader/libvulkan.so.1") # Chromium's own Vulkan loader
}

driver=""
if [ "$KIND" != swiftshader ]; then
  if lavapipe; then driver=lavapipe
  elif [ "$KIND" = lavapipe ]; then fail "lavapipe could not be fetched (see above)"
  else echo "webgpu-driver: falling back to SwiftShader (f32 only, slower)" >&2; rm -rf "$ROOT/root" "$ROOT/debs"; mkdir -p "$ROOT/debs"
  fi
fi
if [ -z "$driver" ]; then
  swiftshader || fail "no Vulkan driver could be fetched: neither Mesa 25 lavapipe nor SwiftShader"
  driver=swiftshader
fi
missing=$(LD_LIBRARY_PATH="$(dirname "$lib")${preload[0]:+:$(dirname "${preload[0]}")}" ldd "$lib" | awk '/not found/{print $1}')
[ -z "$missing" ] || fail "$driver needs libraries that could not be fetched: $missing"

cat > "$ROOT/icd.json" <<JSON
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$lib", "api_version": "1.3.0" } }
JSON
list=""; for l in "${preload[@]}"; do list="$list${list:+,}\"$l\""; done
printf '{ "driver": "%s", "version": "%s", "icd": "%s", "preload": [%s] }\n' "$driver" "$version" "$ROOT/icd.json" "$list" > "$OUT"
rm -rf "$ROOT/apt" "$ROOT/debs" # package lists and .debs are not needed once unpacked
