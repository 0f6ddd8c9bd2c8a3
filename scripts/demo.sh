#!/usr/bin/env bash
# demo.sh — the main demo: installs missing Debian packages, builds seqsh in release mode and
# runs the Aesop example (next word from three words, 50,000 steps, then the fable continued).
# Arguments go to the script: `bash scripts/demo.sh quick` runs its quick mode.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
swift build -c release --product seqsh
# A batch-1 step's matrix products are too small to share between threads profitably.
export SEQ_THREADS="${SEQ_THREADS:-1}"
.build/release/seqsh examples/aesop.seq "$@"
