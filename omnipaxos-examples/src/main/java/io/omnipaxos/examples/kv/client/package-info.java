/**
 * The key-value store's client side: {@link io.omnipaxos.examples.kv.client.KvClient} (at-most-once
 * requests with retries and leader discovery), the {@code kv} command line ({@link
 * io.omnipaxos.examples.kv.client.KvCli}, the jar's {@code client} command) and {@code status}, the
 * load generator and the demo's workload and check.
 *
 * <p>Uses {@code kv.state} and {@code kv.net} (the wire format), the reconfigure request of {@code
 * kv.reconfig}, and the measuring helpers of {@code examples.bench} and the command-line helpers of {@code examples.cli};
 * never the server.
 */
package io.omnipaxos.examples.kv.client;
