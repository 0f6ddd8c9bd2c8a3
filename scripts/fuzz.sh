#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer target of SeqLang's front end and checker (the `seqfuzz`
# target: lexer, parser and SeqInterpreter.check, every module built with libFuzzer's coverage
# and AddressSanitizer) and runs it with the repository's scripts as the seed corpus.
#   bash scripts/fuzz.sh [RUNS] [SECONDS] [JOBS]   (default 1,000,000 executions, no time limit,
#                                                  one process; JOBS > 1: libFuzzer's -fork=JOBS,
#                                                  child processes whose executions add up to RUNS)
# The corpus grows in .build/fuzz/corpus, so a second run goes on from the first one's.
# Crashes are written to .build/fuzz/crash-* ; keep each one in Tests/Fuzz/Regressions.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
seconds="${2:-0}"
jobs="${3:-1}"
fork=()
if [ "$jobs" -gt 1 ]; then fork=(-fork="$jobs"); fi
out=.build/fuzz
mkdir -p "$out/corpus"
find examples Tests/Scripts Tests/Fuzz/Regressions -name '*.seq' -exec cp {} "$out/corpus/" \;
# Every ```seq block of the documentation is a seed too.
for doc in docs/*.md; do
  awk -v out="$out/corpus/doc-$(basename "$doc" .md)" '
    /^```seq/ { n++; file = out "-" n ".seq"; inside = 1; next }
    /^```/ { inside = 0; next }
    inside { print > file }' "$doc"
done
# swiftc keeps only the last of several -sanitize= flags, and SwiftPM passes `--sanitize=fuzzer
# --sanitize=address` on as two such flags, in an order that changes from run to run (so Swift code got one
# instrument or the other, and every run rebuilt everything). So SwiftPM is given only
# --sanitize=fuzzer (it then links libFuzzer's main), and the combined flag after it gives the
# Swift code and the link both instruments; -Xcc adds ASan to the C targets.
swift build -c release --product seqfuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address \
  -Xswiftc -DFUZZING \
  --scratch-path "$out/build" > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
# Both instruments, or no run: the checker's object must hold coverage counters and ASan checks.
checker="$out/build/release/Interpreter.build/Checker.swift.o"
if ! objdump -h "$checker" | grep -c __sancov_cntrs > /dev/null || ! nm "$checker" | grep -c __asan_report > /dev/null; then
  echo "fuzz.sh: $checker lacks libFuzzer coverage or AddressSanitizer; see the build flags" >&2
  exit 1
fi
# No leak detection: Swift keeps enum case tags in spare pointer bits, which LeakSanitizer
# cannot follow (it reports a block's statements as leaked); -rss_limit_mb still stops a real
# leak. No malloc stack traces and a small quarantine: more executions per second.
ASAN_OPTIONS=malloc_context_size=0:quarantine_size_mb=16 \
  "$out/build/release/seqfuzz" "${fork[@]}" -runs="$runs" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 -timeout=10 -detect_leaks=0 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" "$out/corpus" > "$out/fuzz.log" 2>&1 || true
# One process ends with DONE and its stats; -fork ends with "fuzzed for N iterations" and the
# last of its "#N: cov: …" lines.
grep -a -E "^#[0-9]+ +DONE|ERROR|Test unit written|stat::|INFO: fuzzed for|INFO: exiting" "$out/fuzz.log" || true
grep -a -E "^#[0-9]+: " "$out/fuzz.log" | tail -1
