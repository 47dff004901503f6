package io.omnipaxos.examples.kv.state;

/**
 * One slot of the key-value store's replicated log: a client's {@link KvCommand}, or a {@link
 * KvSnapshot} that stands for a compacted prefix of commands.
 */
public sealed interface KvEntry permits KvCommand, KvSnapshot {}
