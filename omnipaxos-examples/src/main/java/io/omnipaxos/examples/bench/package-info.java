/**
 * The benchmark programs (in-process protocol, persistent storage, replication over Netty) and
 * their measuring helpers: argument parsing, latency histograms, throughput and peak memory.
 *
 * <p>Benchmarks print figures; tests never time anything. The replication benchmark uses {@code
 * kv.peer}'s node without the key-value store.
 */
package io.omnipaxos.examples.bench;
