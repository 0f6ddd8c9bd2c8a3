#!/usr/bin/env bash
# bench-distributed.sh — B1's training words/s in one process and in 2 ranks under mpirun,
# one thread each, measured in one run (release build; the PTB data through SEQ_DATA).
#   bash scripts/bench-distributed.sh [STEPS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
export SEQ_DATA="${SEQ_DATA:-$(cd .. && pwd)/shared/data}"
steps="${1:-300}"; repeats="${2:-3}"
swift build -c release --product seqsh >/dev/null
swift build -c release --product SeqMPI >/dev/null
bin=.build/release/seqsh
for r in $(seq "$repeats"); do
  echo "run $r, 1 process, 1 thread:"
  SEQ_THREADS=1 "$bin" scripts/bench/b1_steps.seq "$steps" | grep "B1 words/s"
  echo "run $r, 2 ranks, 1 thread each:"
  mpirun --allow-run-as-root --oversubscribe --bind-to core -n 2 -x SEQ_THREADS=1 -x SEQ_DATA \
    "$bin" scripts/bench/b1_steps.seq "$steps" | grep "B1 words/s"
done
