/**
 * The key-value store's replicated state: the commands clients send ({@link
 * io.omnipaxos.examples.kv.state.KvCommand}), the log entries that carry them ({@link
 * io.omnipaxos.examples.kv.state.KvEntry}), the deterministic state machine that applies them at
 * most once, replies, snapshots, and their binary codecs.
 *
 * <p>Plain Java on the core's API only: no Netty, no sockets, no threads, nothing from the other
 * {@code kv} packages. Client and server both build on it.
 */
package io.omnipaxos.examples.kv.state;
