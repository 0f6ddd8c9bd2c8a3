#!/usr/bin/env python3
# check_bench.py — times `seqsh --check` on every example (release build) and reads its peak
# resident memory with /usr/bin/time: 11 runs each, the median wall time of the whole process
# (start-up included) and the largest resident set. Figures are recorded in BENCHMARKS.md.
#
#     swift build -c release --product seqsh && python3 scripts/check_bench.py
import subprocess, time, resource, os, sys, statistics
binary = ".build/release/seqsh"
env = dict(os.environ)
cases = [("examples/aesop.seq", []), ("examples/chars.seq", []), ("examples/mnist_rows.seq", []),
         ("examples/ptb.seq", []), ("examples/ptb.seq", ["large"]), ("examples/sentiment.seq", []),
         ("examples/sentiment_minimal.seq", [])]
for script, args in cases:
    times = []
    rss = 0
    for i in range(11):
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "--check", script] + args, env=env, capture_output=True, text=True)
        times.append((time.perf_counter() - t) * 1000)
        assert p.returncode == 0, p.stderr
        rss = max(rss, int(p.stderr.strip().splitlines()[-1]))
    print(f"{script} {' '.join(args)}: median {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f}), max RSS {rss/1024:.1f} MiB")
# the binary doing nothing, for comparison
times=[]
for i in range(11):
    t = time.perf_counter(); subprocess.run([binary, "-e", ""], capture_output=True); times.append((time.perf_counter()-t)*1000)
p = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "-e", ""], capture_output=True, text=True)
print(f"seqsh -e '' (start-up alone): median {statistics.median(times):.1f} ms, RSS {int(p.stderr.strip().splitlines()[-1])/1024:.1f} MiB")
