#!/usr/bin/env bash
# Starts the AudioFlow server on the embedded defaults (fully offline), installing what is missing first.
# Extra arguments go to `audioflow serve` (e.g. --config my.conf, -c audioflow.http.port=9090).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./setup.sh
dotnet build src/AudioFlow.Host -c Release --nologo --verbosity quiet
exec dotnet src/AudioFlow.Host/bin/Release/net10.0/audioflow.dll serve "$@"
