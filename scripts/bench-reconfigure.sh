#!/usr/bin/env bash
# The write pause of a reconfiguration that replaces most of the nodes (see docs/kv-store.md):
#   start nodes 1-3 of config/, fill the map (`kv load`: 4 KiB values on up to 100,000 keys), start
#   nodes 4 and 5 as new nodes of configuration 2 = nodes 1, 4 and 5, run the demo's workload, hand
#   over with `kv reconfigure`, and print the workload's longest pause between acknowledged writes,
#   how each new node got the state (learned it as a learner, or fetched it after the handover),
#   the state's size and every node's peak memory; then verify every acknowledged write. Every
#   majority of the new configuration holds a new node, so a new node's copy of the state is on
#   the write path unless it holds the state when the stop-sign is decided.
# Environment: KV_DEMO_PORT_BASE (default 17100), KV_DEMO_SKIP_BUILD=1, KV_BENCH_LOAD_SECONDS
# (default 6: how long `kv load` fills the map), KV_DEMO_SECONDS (default 20: the workload),
# KV_BENCH_SNAPSHOT_INTERVAL (default: config/'s 100000; e.g. 2000 makes the old nodes compact
# their logs, so the leader sends the new nodes its snapshot in parts instead of the log).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
cd "$KV_ROOT"

PORT_BASE="${KV_DEMO_PORT_BASE:-17100}"
SECONDS_OF_LOAD="${KV_DEMO_SECONDS:-20}"
FILL_SECONDS="${KV_BENCH_LOAD_SECONDS:-6}"
DEMO="$KV_ROOT/target/bench-reconfigure-data"
DEMO_NAME="reconfiguration benchmark"
source "$KV_ROOT/scripts/demo-lib.sh"

build
rm -rf "$DEMO"
mkdir -p "$DEMO/config/replace" "$DEMO/logs"
for i in 1 2 3; do with_demo_ports "config/node$i.toml" "$DEMO/config/node$i.toml"; done
# config/grow's files with configuration 2 = nodes 1, 4 and 5 (their tables list all five addresses).
with_demo_ports "config/grow/node4.toml" "$DEMO/config/replace/node4.toml.in"
with_demo_ports "config/grow/node5.toml" "$DEMO/config/replace/node5.toml.in"
sed 's/^peers = \[1, 2, 3, 5\]/peers = [1, 5]/' "$DEMO/config/replace/node4.toml.in" > "$DEMO/config/replace/node4.toml"
sed 's/^peers = \[1, 2, 3, 4\]/peers = [1, 4]/' "$DEMO/config/replace/node5.toml.in" > "$DEMO/config/replace/node5.toml"
rm "$DEMO/config/replace/"*.in
if [[ -n "${KV_BENCH_SNAPSHOT_INTERVAL:-}" ]]; then
  sed -i "s/^snapshot_interval = .*/snapshot_interval = $KV_BENCH_SNAPSHOT_INTERVAL/" "$DEMO"/config/*.toml \
    "$DEMO"/config/replace/*.toml
fi

kv() { kv_with "$DEMO/config/replace/node4.toml" "$@"; }

say "starting nodes 1-3 (configuration 1)"
for i in 1 2 3; do start_node "$i" "config/node$i.toml"; done
leader > /dev/null

say "filling the map for ${FILL_SECONDS} s (kv load, 4 KiB values)"
kv load --seconds "$FILL_SECONDS" --warmup-seconds 1 --clients 4 --pipeline 64 --value-bytes 4096 | sed "s/^/  /"

say "starting nodes 4 and 5 of configuration 2 = nodes 1, 4 and 5 (join = true)"
for i in 4 5; do start_node "$i" "config/replace/node$i.toml"; done
await_line 4 "joining configuration 2"
await_line 5 "joining configuration 2"

say "client workload for ${SECONDS_OF_LOAD} s: 4 writers, each PUT demo-<w>-<i> then APPEND <i> to log-<w>"
kv workload "$SECONDS_OF_LOAD" "$DEMO/acked.txt" > "$DEMO/workload.txt" &
WORKLOAD_PID=$!
sleep 3

say "kv reconfigure: nodes 1-3 hand over to nodes 1, 4 and 5"
kv reconfigure "$DEMO/config/replace/node4.toml"
for i in 1 4 5; do await_line "$i" "runs configuration 2"; done
await_line 2 "retired"
await_line 3 "retired"

wait "$WORKLOAD_PID"
WORKLOAD_PID=""
for i in 2 3; do kill_node "$i"; done

say "verifying every acknowledged write through nodes 1, 4 and 5"
kv verify "$DEMO/acked.txt" | tee "$DEMO/verify.txt"

say "summary"
ACKED=$(sed -n 's/^workload done: \([0-9,]*\) acknowledged.*/\1/p' "$DEMO/workload.txt" | tr -d ,)
echo "  workload throughput:        $ACKED acknowledged writes in ${SECONDS_OF_LOAD} s ($(( ACKED / SECONDS_OF_LOAD )) writes/s, the handover included)"
grep "longest pause" "$DEMO/workload.txt" | sed 's/^workload: /  /'
echo "  state handed over:          $(grep -ho 'state [0-9]* bytes\|no fetch ([0-9]* bytes)' "$DEMO"/logs/node4.log | head -n 1)"
for i in 4 5; do
  if grep -q "as a learner" "$DEMO/logs/node$i.log"; then
    how="learned it as a learner before the handover"
    if grep -q "installed a snapshot" "$DEMO/logs/node$i.log"; then how="$how (the leader's snapshot, then the log)"; fi
  elif grep -q "fetched Handover" "$DEMO/logs/node$i.log"; then how="fetched it after the handover"
  else how="unknown (see $DEMO/logs/node$i.log)"; fi
  echo "  node $i got the state:       $how"
done
echo "  snapshot transfers started:  $(cat "$DEMO"/logs/node[123].log | grep -c 'our snapshot for index' || true) (a leader sending a new node its snapshot in parts)"
echo "  elections:                  $(cat "$DEMO"/logs/node*.log | grep -c 'elected with ballot' || true) (all nodes, the whole run)"
for i in 1 2 3 4 5; do
  echo "  node $i memory:              $(grep -o 'peak heap used.*' "$DEMO/logs/node$i.log" | tail -n 1)"
done
grep -q 'all present' "$DEMO/verify.txt"
say "stopping every node"
