#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer target of SeqLang's front end (lexer and parser, with
# AddressSanitizer) and runs it with the repository's scripts as the seed corpus.
#   bash scripts/fuzz.sh [RUNS]      (default 1,000,000 executions; one process)
# Crashes are written to .build/fuzz/crash-* ; keep each one as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
out=.build/fuzz
mkdir -p "$out/corpus"
find examples Tests/Scripts -name '*.seq' -exec cp {} "$out/corpus/" \;
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name SeqLang \
  Sources/SeqLang/*.swift Tests/Fuzz/FrontEndFuzzer.swift -o "$out/frontend-fuzzer" 2> "$out/build.log" \
  || { cat "$out/build.log"; exit 1; }
"$out/frontend-fuzzer" -runs="$runs" -max_len=256 -timeout=10 -artifact_prefix="$out/" "$out/corpus" > "$out/fuzz.log" 2>&1 || true
grep -a -E "^#[0-9]+ +DONE|ERROR|Test unit written" "$out/fuzz.log" || tail -5 "$out/fuzz.log"
