/**
 * One OmniPaxos server on a Netty event loop ({@link io.omnipaxos.examples.kv.peer.ReplicaNode}) and
 * its links to the other nodes: one TCP (or TLS) connection per peer, the hello handshake that says
 * who is on the other end, and message frames in the core's codec.
 *
 * <p>Generic in the entry type, so the replication benchmark runs it without the key-value store.
 * Uses {@code kv.net} for addresses, TLS and logging; nothing above it.
 */
package io.omnipaxos.examples.kv.peer;
