/**
 * A node process of the key-value store ({@link io.omnipaxos.examples.kv.server.KvServer}, started
 * by {@link io.omnipaxos.examples.kv.server.ServerCommand}, the jar's {@code server} command that
 * {@code scripts/kv-server} runs): its event loop, the client port with its
 * backpressure and its limits on all clients together, who may send administrative requests, state
 * fetches answered in chunks paced by the reader ({@link
 * io.omnipaxos.examples.kv.server.StateStream}), and the bookkeeping that answers each request once
 * its entry is decided and applied.
 *
 * <p>The top of the server side: uses {@code kv.reconfig}, {@code kv.peer}, {@code kv.state}, {@code kv.http},
 * {@code kv.net}, {@code examples.cli} and {@code examples.bench} (its memory line); nothing uses it but {@code kv.KvMain}, tests and scripts.
 */
package io.omnipaxos.examples.kv.server;
