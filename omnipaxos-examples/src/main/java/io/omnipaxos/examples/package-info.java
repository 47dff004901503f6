/**
 * Programs built on OmniPaxos: the in-process example, and routing each server's log to its own
 * file. The replicated key-value store lives in the {@code kv.*} packages, the benchmarks in
 * {@code bench}.
 */
package io.omnipaxos.examples;
