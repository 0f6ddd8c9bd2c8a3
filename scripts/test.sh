#!/usr/bin/env bash
# test.sh — the test command: installs missing Debian packages, builds, runs every suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh

export SEQ_DATA="${SEQ_DATA:-$(cd .. && pwd)/shared/data}"
swift build

# The embedding example: an app that depends on SeqLang by path, built and run as a user would.
(cd examples/embed && swift build && .build/debug/EmbedDemo)

swift test --disable-swift-testing
