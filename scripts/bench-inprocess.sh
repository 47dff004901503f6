#!/usr/bin/env bash
# The in-process benchmark: 3 servers in one thread, MemoryStorage, 16-byte entries.
# Options: --seconds N --batch-size N --chunk N --trim-every N (see InProcessBenchmark).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/kv-env.sh"
cd "$KV_ROOT"
[[ "${BENCH_SKIP_BUILD:-0}" == 1 ]] || mvn -q -B -DskipTests package
exec "$KV_JAVA" -Xms4g -Xmx4g -XX:+UseParallelGC -cp "$(kv_classpath)" \
    io.omnipaxos.examples.bench.InProcessBenchmark "$@"
