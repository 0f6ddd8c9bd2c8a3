#!/usr/bin/env bash
# bench-overlap.sh — B1's training words/s for 2 ranks with the gradient sums overlapped with
# the backward pass (SEQ_MPI_OVERLAP=1) and in one blocking sum after it (=0), interleaved:
# over TCP between two network namespaces joined by a veth pair whose both ends are limited to
# RATE (tc tbf), as on two machines, and through shared memory on this machine. One thread per
# rank; release build; the PTB data through SEQ_DATA; needs root (ip netns, tc).
#   bash scripts/bench-overlap.sh [STEPS] [REPEATS] [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
export SEQ_DATA="${SEQ_DATA:-$(cd .. && pwd)/shared/data}"
steps="${1:-300}"; repeats="${2:-3}"; rate="${3:-1gbit}"
swift build -c release --product seqsh >/dev/null
swift build -c release --product SeqMPI >/dev/null
bin="$(pwd)/.build/release/seqsh"
script="$(pwd)/scripts/bench/b1_steps.seq"

# The two "hosts": namespaces a and b, 10.231.8.1 and .2, the link limited both ways.
tag=$$; a="seqoa$tag"; b="seqob$tag"; va="voa$tag"; vb="vob$tag"
work="$(mktemp -d)"
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$a"; ip netns add "$b"
ip link add "$va" type veth peer name "$vb"
ip link set "$va" netns "$a"; ip link set "$vb" netns "$b"
for side in "$a $va 10.231.8.1" "$b $vb 10.231.8.2"; do
  set -- $side
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$1" link set "$2" up
  ip -n "$1" link set lo up
  ip netns exec "$1" tc qdisc add dev "$2" root tbf rate "$rate" burst 256kb latency 50ms
done
# Open MPI's rsh launcher calls the agent as `agent HOST COMMAND…` (as MultiHostTests does).
cat > "$work/agent.sh" <<EOF
#!/bin/sh
host="\$1"; shift
case "\$host" in
  10.231.8.1) ns=$a ;;
  10.231.8.2) ns=$b ;;
  *) echo "no such host: \$host" >&2; exit 1 ;;
esac
exec /usr/sbin/ip netns exec "\$ns" sh -c "\$*"
EOF
chmod 755 "$work/agent.sh"

tcp() {
  ip netns exec "$a" mpirun --allow-run-as-root -n 2 --host 10.231.8.1:1,10.231.8.2:1 --bind-to none \
    --mca plm_rsh_agent "$work/agent.sh" --mca btl tcp,self \
    --mca btl_tcp_if_include 10.231.8.0/24 --mca oob_tcp_if_include 10.231.8.0/24 \
    -x SEQ_THREADS=1 -x SEQ_DATA -x SEQ_MPI_OVERLAP="$1" "$bin" "$script" "$steps" | grep "B1 words/s"
}
shm() {
  mpirun --allow-run-as-root --oversubscribe --bind-to core -n 2 \
    -x SEQ_THREADS=1 -x SEQ_DATA -x SEQ_MPI_OVERLAP="$1" "$bin" "$script" "$steps" | grep "B1 words/s"
}

echo "B1, $steps steps a run, 2 ranks of 1 thread; TCP over a veth pair at $rate, and shared memory"
for r in $(seq "$repeats"); do
  # Alternate which mode goes first, so a drift in the machine's load favours neither.
  if (( r % 2 )); then order="1 0"; else order="0 1"; fi
  for where in tcp shm; do
    for mode in $order; do
      echo "run $r, $where, SEQ_MPI_OVERLAP=$mode, load $(cut -d' ' -f1-3 /proc/loadavg): $($where "$mode")"
    done
  done
done
