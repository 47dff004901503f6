/**
 * What the key-value store's clients and nodes share on the network: node addresses and their
 * codec, the {@code [network]} table of a node's TOML file, the client port's frame format ({@link
 * io.omnipaxos.examples.kv.net.ClientWire}), TLS settings and contexts (peer links trust the node
 * CA only; a node's client port also the client CA, {@link
 * io.omnipaxos.examples.kv.net.ClientPortTls}), and the names the logging uses.
 *
 * <p>Uses {@code kv.state} (commands and replies travel in client frames) and Netty's buffers and
 * TLS handlers; knows nothing of servers, peers or clients.
 */
package io.omnipaxos.examples.kv.net;
