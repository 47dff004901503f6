/**
 * How a key-value node moves from one cluster configuration to the next: the reconfigure request
 * (the next configuration and its addresses), the durable {@link
 * io.omnipaxos.examples.kv.reconfig.Handover} (decided stop-sign and final state), the folders that
 * hold each configuration's handover and log, fetching the state from another node (streamed in
 * chunks into a file, and served the same way from a {@link
 * io.omnipaxos.examples.kv.reconfig.HandoverSource}), and {@link
 * io.omnipaxos.examples.kv.reconfig.Configurations}, which runs one {@code ReplicaNode} per
 * configuration and switches between them.
 *
 * <p>Uses {@code kv.peer}, {@code kv.state}, {@code kv.net} and the storage module; the server
 * drives it through {@code Configurations.Events}.
 */
package io.omnipaxos.examples.kv.reconfig;
