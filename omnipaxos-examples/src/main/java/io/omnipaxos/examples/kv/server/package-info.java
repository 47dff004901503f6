/**
 * A node process of the key-value store ({@link io.omnipaxos.examples.kv.server.KvServer}, the
 * {@code main} that {@code scripts/kv-server} runs): its event loop, the client port with its
 * backpressure and its limits on all clients together, who may send administrative requests, state
 * fetches answered in chunks paced by the reader ({@link
 * io.omnipaxos.examples.kv.server.StateStream}), and the bookkeeping that answers each request once
 * its entry is decided and applied.
 *
 * <p>The top of the server side: uses {@code kv.reconfig}, {@code kv.peer}, {@code kv.state} and
 * {@code kv.net}; nothing uses it but tests and scripts.
 */
package io.omnipaxos.examples.kv.server;
