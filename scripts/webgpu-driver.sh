#!/usr/bin/env bash
# Fetches a Vulkan software driver Dawn accepts (Mesa >= 25 lavapipe from bookworm-backports) into
# .cache/vk/ without installing anything system-wide, plus whatever runtime libraries the machine
# lacks (e.g. the Vulkan loader libvulkan1), and writes .cache/vk/driver.json:
#   {"icd": <ICD json with an absolute library path>, "preload": [<absolute paths of unpacked libs>]}
# src/runner/webgpu/driver.ts reads it: it sets VK_ICD_FILENAMES and dlopen()s the preload libraries
# (RTLD_GLOBAL|RTLD_NODELETE) before Dawn starts, so no LD_LIBRARY_PATH or re-exec is needed.
# Idempotent and quiet. The mirror comes from the machine's own apt sources.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD/.cache/vk"
OUT="$ROOT/driver.json"
LIBDIR="$ROOT/root/usr/lib/x86_64-linux-gnu"

if [ -f "$OUT" ] && [ -f "$LIBDIR/libvulkan_lvp.so" ] && [ -z "${WEBGPU_DRIVER_FORCE:-}" ]; then
  exit 0
fi
# A driver named by the environment (a real GPU's ICD, SwiftShader, ...) is used as is.
if [ -n "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -z "${WEBGPU_DRIVER_FORCE:-}" ]; then
  exit 0
fi
fail() { echo "webgpu-driver: $*" >&2; exit 1; }
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
# A private apt state: the system's sources, lists and package database are left alone.
APT=(apt-get -qq -o "Dir::Etc::sourcelist=$ROOT/apt/sources.list" -o Dir::Etc::sourceparts=/nonexistent
     -o "Dir::State::Lists=$ROOT/apt/lists" -o "Dir::Cache=$ROOT/apt/cache" -o Debug::NoLocking=1
     -o APT::Sandbox::User=root)
"${APT[@]}" update >/dev/null || fail "apt-get update of the private bookworm/bookworm-backports lists failed"
download() { (cd "$ROOT/debs" && "${APT[@]}" download "$@" >/dev/null) || fail "apt-get download $* failed"; }

download mesa-vulkan-drivers/bookworm-backports
ver=$(dpkg-deb -f "$ROOT"/debs/mesa-vulkan-drivers_*.deb Version)
case "$ver" in 2[5-9].*|[3-9][0-9].*) ;; *) fail "bookworm-backports has mesa-vulkan-drivers $ver; Dawn needs Mesa >= 25";; esac

# Dependencies the system lacks (libvulkan1, the Vulkan loader, on a bare machine), to a fixed point.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
declare -A seen=([mesa-vulkan-drivers]=1)
queue=("$ROOT"/debs/*.deb)
while [ ${#queue[@]} -gt 0 ]; do
  deb=${queue[0]}; queue=("${queue[@]:1}")
  deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -E 's/\|.*//; s/\(.*\)//; s/:any//; s/[[:space:]]//g')
  for p in $deps; do
    [ -n "$p" ] && [ -z "${seen[$p]:-}" ] || continue
    seen[$p]=1
    installed "$p" && continue
    download "$p"
    queue+=("$(ls -t "$ROOT"/debs/"${p}"_*.deb | head -1)")
  done
done
for deb in "$ROOT"/debs/*.deb; do dpkg -x "$deb" "$ROOT/root"; done
# Only lavapipe is needed from mesa-vulkan-drivers (it also ships the hardware drivers).
find "$LIBDIR" -maxdepth 1 -name 'libvulkan_*.so' ! -name 'libvulkan_lvp.so' -delete

lib="$LIBDIR/libvulkan_lvp.so"
[ -f "$lib" ] || fail "$lib missing after unpacking"
missing=$(LD_LIBRARY_PATH="$LIBDIR" ldd "$lib" | awk '/not found/{print $1}')
[ -z "$missing" ] || fail "lavapipe needs libraries that could not be fetched: $missing"

cat > "$ROOT/lvp_icd.json" <<JSON
{ "file_format_version": "1.0.1", "ICD": { "library_path": "$lib", "api_version": "1.4.305" } }
JSON
# Libraries from packages other than mesa-vulkan-drivers are loaded by the runtime before Dawn starts.
preload=""
for deb in "$ROOT"/debs/*.deb; do
  case "$(basename "$deb")" in mesa-vulkan-drivers_*) continue;; esac
  for f in $(dpkg-deb -c "$deb" | awk '{print $6}' | grep -E '/lib/.*\.so(\.[0-9]+)*$' | sed 's#^\./##'); do
    [ -e "$ROOT/root/$f" ] && preload="$preload${preload:+,}\"$ROOT/root/$f\""
  done
done
printf '{ "mesa": "%s", "icd": "%s", "preload": [%s] }\n' "$ver" "$ROOT/lvp_icd.json" "$preload" > "$OUT"
rm -rf "$ROOT/apt" "$ROOT/debs" # package lists and .debs are not needed once unpacked
