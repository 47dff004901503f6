# Shared by scripts/demo.sh and scripts/reconfigure-demo.sh (sourced, after kv-env.sh). The caller
# sets DEMO (its data folder), DEMO_NAME (for messages) and PORT_BASE; nodes it starts go in
# NODE_PIDS (pid -> process) and a background workload in WORKLOAD_PID, which cleanup kills.
declare -A NODE_PIDS=()
WORKLOAD_PID=""

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Kills every node and the workload on exit (also on Ctrl-C or failure) and says where the logs are.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${NODE_PIDS[@]}" ${WORKLOAD_PID:-}; do
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    echo "$DEMO_NAME FAILED (status $status); node logs are in $DEMO/logs" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Builds unless KV_DEMO_SKIP_BUILD=1, then sets JAR (the runnable omnipaxos-kv.jar).
build() {
  if [[ "${KV_DEMO_SKIP_BUILD:-0}" != 1 ]]; then
    say "building (mvn -q -DskipTests package)"
    mvn -q -DskipTests package
  fi
  JAR="$(kv_jar)"
}

# Copies config file $1 to $2 with the demo's ports: peers on PORT_BASE+pid, clients on PORT_BASE+100+pid,
# dashboards (HTTP) on PORT_BASE+200+pid.
with_demo_ports() {
  local args=() p
  for p in 1 2 3 4 5; do
    args+=(-e "s/peer_port = 1710$p,/peer_port = $((PORT_BASE + p)),/"
           -e "s/client_port = 1720$p,/client_port = $((PORT_BASE + 100 + p)),/"
           -e "s/http_port = 1730$p /http_port = $((PORT_BASE + 200 + p)) /")
  done
  sed "${args[@]}" "$1" > "$2"
}

# Starts node $1 from config file $2 (relative to DEMO, where its data and log land), console indented.
start_node() {
  local i=$1 file=$2
  (cd "$DEMO" && exec "$KV_JAVA" -Xmx512m -jar "$JAR" server "$file") > >(sed -u 's/^/    /') 2>&1 &
  NODE_PIDS[$i]=$!
}

# The command-line client with the node addresses of config file $1 (the rest: kv arguments).
kv_with() {
  local config=$1
  shift
  "$KV_JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dkv.log.file="$DEMO/logs/client.log" -jar "$JAR" \
    client --config "$config" "$@"
}

# How long after the kill -9 at epoch ms $2 (taken once the process was reaped, a few ms after the
# signal) the new leader acknowledged its first write: the end of the workload's pause that spans
# the kill, from its output $1; against the bound of two heartbeat rounds of the configuration
# file $3 plus a round trip.
failover_summary() {
  local ms from to round
  round=$(( $(sed -n 's/^election_tick_timeout = \([0-9]*\).*/\1/p' "$3") * $(sed -n 's/^tick_interval_ms = \([0-9]*\).*/\1/p' "$3") ))
  while read -r ms from to; do
    if (( from <= $2 && $2 <= to )); then
      echo "$(( to - $2 )) ms from the kill -9 to the new leader's first acknowledged write (bound: 2 heartbeat rounds of $round ms plus a round trip)"
      return
    fi
  done < <(grep -o '[0-9]* ms from [0-9]* to [0-9]*' "$1" | sed 's/ ms from / /; s/ to / /')
  echo "no pause of the workload spans the kill -9 (at $2 epoch ms): see $1"
}

# Kills node $1 with SIGKILL and forgets it.
kill_node() {
  kill -9 "${NODE_PIDS[$1]}"
  wait "${NODE_PIDS[$1]}" 2>/dev/null || true
  unset "NODE_PIDS[$1]"
}

# Waits up to 60 s until node $1's log file holds a line matching $2.
await_line() {
  local node=$1 text=$2 deadline=$((SECONDS + 60))
  until grep -q "$text" "$DEMO/logs/node$node.log" 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "node $node did not log '$text' within 60 s" >&2; return 1; }
    sleep 0.1
  done
}

# Prints the pid of the node that answers a request through the log (waits up to 60 s for one);
# uses the caller's kv function.
leader() {
  local deadline=$((SECONDS + 60)) answer
  until answer="$(kv leader 2>/dev/null)"; do
    (( SECONDS < deadline )) || { echo "no leader within 60 s" >&2; return 1; }
    sleep 0.2
  done
  echo "$answer"
}
