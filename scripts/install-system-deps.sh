#!/usr/bin/env bash
# Installs the Debian packages Matchwork builds against (and python3-venv and curl, for the
# schemathesis run of the tests, and a headless Chromium for the dashboard's browser check),
# when they are missing.
# Runs apt-get only when something is missing; uses sudo when not root.
set -euo pipefail

packages=(libsqlite3-dev libopenblas-dev libxgboost-dev python3-venv curl)
# Either Chromium serves the browser check; the headless shell is the smaller.
if [ ! -x /usr/bin/chromium ] && [ ! -x /usr/bin/chromium-headless-shell ]; then packages+=(chromium-headless-shell); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing system packages: ${missing[*]}; install them with your package manager." >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
