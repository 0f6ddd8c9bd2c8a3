#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer target of SeqLang's front end and checker (the `seqfuzz`
# target: lexer, parser and SeqInterpreter.check, every module built with libFuzzer's coverage
# and AddressSanitizer) and runs it with the repository's scripts as the seed corpus.
#   bash scripts/fuzz.sh [RUNS] [SECONDS]   (default 1,000,000 executions, no time limit; one process)
# The corpus grows in .build/fuzz/corpus, so a second run goes on from the first one's.
# Crashes are written to .build/fuzz/crash-* ; keep each one in Tests/Fuzz/Regressions.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-1000000}"
seconds="${2:-0}"
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
swift build -c release --product seqfuzz --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING \
  --scratch-path "$out/build" > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
# No leak detection: Swift keeps enum case tags in spare pointer bits, which LeakSanitizer
# cannot follow (it reports a block's statements as leaked); -rss_limit_mb still stops a real
# leak. No malloc stack traces and a small quarantine: more executions per second.
ASAN_OPTIONS=malloc_context_size=0:quarantine_size_mb=16 \
  "$out/build/release/seqfuzz" -runs="$runs" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 -timeout=10 -detect_leaks=0 -rss_limit_mb=2048 \
  -artifact_prefix="$out/" "$out/corpus" > "$out/fuzz.log" 2>&1 || true
grep -a -E "^#[0-9]+ +DONE|ERROR|Test unit written|stat::" "$out/fuzz.log" || tail -5 "$out/fuzz.log"
