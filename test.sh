#!/usr/bin/env bash
# Runs AudioFlow's test suite, installing what is missing first (also what the tests use: sox, flite, ...).
# Load tests and benchmarks are not part of it: see README.md ("Benchmarks and load").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./setup.sh --test
dotnet build AudioFlow.sln -c Release --nologo --verbosity quiet
# One test project at a time (-m:1): several of them measure real-time behaviour (barge-in within 200 ms, RTP pacing,
# SIP calls against real peers), which two projects competing for the 2 cores can push past their budgets.
dotnet test AudioFlow.sln -c Release --no-build --nologo --verbosity quiet --logger "console;verbosity=minimal" -m:1 "$@"
