#!/usr/bin/env bash
# End-to-end benchmark: starts the 3 nodes of config/ (in target/bench-data, fresh), runs
# `kv load` with the given options, prints each node's peak RSS (and data folder size), stops everything.
#   scripts/bench-kv.sh [--memory | --page-cache] [kv load options, e.g. --seconds 10 --clients 8 --pipeline 250]
# --memory: MemoryStorage; --page-cache: PersistentStorage with storage_sync = "os_page_cache";
# default: PersistentStorage syncing every write (the config's setting). Ports: KV_BENCH_PORT_BASE (17500).
# KV_BENCH_ROUND_TICKS sets the heartbeat round in ticks (1 ms each) instead of config/'s;
# KV_BENCH_SNAPSHOT_INTERVAL sets the applied entries between snapshots (0: none) instead of config/'s;
# KV_BENCH_CLIENT_PREFIX runs the load generator behind a command, e.g. "nice -n 10".
# KV_BENCH_CORE_KEY / KV_BENCH_NETWORK_KEY add one core / [network] key to every node's file, e.g.
# KV_BENCH_CORE_KEY="leader_lease_ticks = 300", KV_BENCH_NETWORK_KEY="follower_reads = true".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
JAR="$(kv_jar)"
MODE=""
case "${1:-}" in --memory|--page-cache) MODE="$1"; shift ;; esac
BASE="${KV_BENCH_PORT_BASE:-17500}"
DIR="$KV_ROOT/target/bench-data"
rm -rf "$DIR"; mkdir -p "$DIR/config"
declare -a PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
for i in 1 2 3; do
  args=()
  for p in 1 2 3; do
    args+=(-e "s/peer_port = 1710$p,/peer_port = $((BASE + p)),/" -e "s/client_port = 1720$p,/client_port = $((BASE + 100 + p)),/"
           -e "s/http_port = 1730$p /http_port = $((BASE + 200 + p)) /")
  done
  # KV_BENCH_ROUND_TICKS: the heartbeat round in ticks (election_tick_timeout; resend twice that), e.g. 100.
  [[ -n "${KV_BENCH_ROUND_TICKS:-}" ]] && args+=(-e "s/^election_tick_timeout = .*/election_tick_timeout = $KV_BENCH_ROUND_TICKS/"
      -e "s/^resend_message_tick_timeout = .*/resend_message_tick_timeout = $((2 * KV_BENCH_ROUND_TICKS))/")
  # KV_BENCH_SNAPSHOT_INTERVAL: applied entries between snapshots instead of config/'s (0: none).
  [[ -n "${KV_BENCH_SNAPSHOT_INTERVAL:-}" ]] && args+=(-e "s/^snapshot_interval = .*/snapshot_interval = $KV_BENCH_SNAPSHOT_INTERVAL/")
  [[ "$MODE" == --page-cache ]] && args+=(-e 's/storage_sync = "every_write"/storage_sync = "os_page_cache"/')
  # KV_BENCH_CORE_KEY: one more core key for every node, e.g. "leader_lease_ticks = 300".
  [[ -n "${KV_BENCH_CORE_KEY:-}" ]] && args+=(-e "s/^batch_size = \(.*\)$/batch_size = \1\n${KV_BENCH_CORE_KEY}/")
  # KV_BENCH_NETWORK_KEY: one more [network] key, e.g. "follower_reads = true".
  [[ -n "${KV_BENCH_NETWORK_KEY:-}" ]] && args+=(-e "s/^storage_sync = \(.*\)$/storage_sync = \1\n${KV_BENCH_NETWORK_KEY}/")
  sed "${args[@]}" "$KV_ROOT/config/node$i.toml" > "$DIR/config/node$i.toml"
  # KV_BENCH_NODE_GC: the nodes' collector flags (default ParallelGC), e.g. "-XX:+UseG1GC -XX:MaxGCPauseMillis=20".
  # -XX:MetaspaceSize: the nodes load about 30 MB of class metadata; the default threshold (21 MB) would
  # stop each one for a full collection of 80-100 ms as the load starts.
  (cd "$DIR" && exec "$KV_JAVA" -Xmx1g -XX:MetaspaceSize=64m ${KV_BENCH_NODE_GC:--XX:+UseParallelGC} -jar "$JAR" \
      server "config/node$i.toml" ${MODE/--page-cache/}) > "$DIR/node$i.out" 2>&1 &
  PIDS+=($!)
done
KV_CLIENT_JAVA_OPTS="-XX:+UseParallelGC" "$KV_ROOT/scripts/kv" --config "$DIR/config/node1.toml" leader >/dev/null
echo "storage: ${MODE:-persistent, sync every write}"
KV_CLIENT_JAVA_OPTS="-XX:+UseParallelGC" ${KV_BENCH_CLIENT_PREFIX:-} "$KV_ROOT/scripts/kv" --config "$DIR/config/node1.toml" load "$@"
for i in 1 2 3; do
  disk=""
  [[ "$MODE" == --memory ]] || disk=", data folder $(du -sm "$DIR/data/node$i" | cut -f1) MB"
  echo "node$i: $(grep -E 'VmHWM|VmRSS' /proc/${PIDS[$((i-1))]}/status | tr -s ' \n' ' ')$disk"
  echo "node$i's last $(grep -o 'memory: .*' "$DIR/logs/node$i.log" | tail -n 1)"
done
grep -h "leader is now" "$DIR"/node*.out | wc -l | xargs echo "leader-change lines on the consoles:"
