#!/usr/bin/env bash
# demo.sh — the main demo: installs missing Debian packages, builds in release mode, runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
swift build -c release --product seqbench
.build/release/seqbench "$@"
