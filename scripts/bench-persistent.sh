#!/usr/bin/env bash
# The persistent benchmark: 3 servers in one thread, each on its own PersistentStorage folder
# (default target/bench-data, deleted at start and end), 16-byte entries, safe sync policy.
# Options: see PersistentBenchmark (e.g. --seconds 20 --open-entries 10000000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
cd "$KV_ROOT"
[[ "${BENCH_SKIP_BUILD:-0}" == 1 ]] || mvn -q -B -DskipTests package
exec "$KV_JAVA" "${KV_JVM_FLAGS[@]}" -Xmx2g -cp "$(kv_classpath)" \
    io.omnipaxos.examples.bench.PersistentBenchmark "$@"
