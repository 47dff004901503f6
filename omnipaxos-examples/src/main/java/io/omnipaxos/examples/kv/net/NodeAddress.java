package io.omnipaxos.examples.kv.net;

import java.net.InetSocketAddress;

/**
 * Where one node of the cluster listens.
 *
 * @param pid the node's pid
 * @param host the host name or address of the node
 * @param peerPort the port other nodes connect to
 * @param clientPort the port clients connect to
 */
public record NodeAddress(long pid, String host, int peerPort, int clientPort) {

    /** The node's peer endpoint (unresolved: resolved when connecting). */
    public InetSocketAddress peerAddress() {
        return InetSocketAddress.createUnresolved(host, peerPort);
    }

    /** The node's client endpoint (unresolved: resolved when connecting). */
    public InetSocketAddress clientAddress() {
        return InetSocketAddress.createUnresolved(host, clientPort);
    }

    /** The node's client endpoint as text, {@code host:port}, as NOT_LEADER replies carry it. */
    public String clientEndpoint() {
        return host + ":" + clientPort;
    }
}
