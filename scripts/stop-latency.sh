#!/usr/bin/env bash
# Builds scripts/stop-latency in release and prints, for every long operation, how many seconds
# after its time limit and after cancel() it stopped (a Markdown table; Tests/README.md keeps one).
# Usage: scripts/stop-latency.sh [--limit SECONDS] [--only NAME-PREFIX]
set -euo pipefail
cd "$(dirname "$0")/stop-latency"
swift build -c release --product StopLatency
exec .build/release/StopLatency "$@"
