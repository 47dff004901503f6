#!/usr/bin/env bash
# The in-process benchmark: 3 servers in one thread, MemoryStorage, 16-byte entries.
# Options: --seconds N --entries-per-run N --batch-size N --chunk N (see InProcessBenchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
CP=$(scripts/build-classpath.sh)
exec java -Xms4g -Xmx4g -XX:+UseParallelGC -cp "$CP" io.omnipaxos.examples.bench.InProcessBenchmark "$@"
