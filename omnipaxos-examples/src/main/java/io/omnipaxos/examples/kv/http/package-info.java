/**
 * The key-value node's HTTP endpoints: {@code /metrics} (Prometheus text format, from the core's
 * metrics view) and {@code /status} (JSON), on 127.0.0.1.
 */
package io.omnipaxos.examples.kv.http;
