/**
 * One OmniPaxos server on a Netty event loop ({@link io.omnipaxos.examples.kv.peer.ReplicaNode}),
 * with a storage thread that makes an asynchronous storage's writes durable off that loop ({@code
 * StorageSyncThread}), and its links to the other nodes: one TCP (or TLS) connection per peer,
 * the hello handshake that says who is on the other end, and message frames in the core's codec.
 * The hello also carries the
 * incarnation of the sender's data folder and those it recorded ({@link
 * io.omnipaxos.examples.kv.peer.Incarnations}, kept in {@code data_dir/incarnation} and {@code
 * data_dir/peers-seen}), so that a member whose data folder came back empty is refused and stops.
 *
 * <p>Generic in the entry type, so the replication benchmark runs it without the key-value store.
 * Uses {@code kv.net} for addresses, TLS and logging, and the storage module's {@code
 * StorageException} and {@code PersistentStorage.sync()}; nothing above it.
 */
package io.omnipaxos.examples.kv.peer;
