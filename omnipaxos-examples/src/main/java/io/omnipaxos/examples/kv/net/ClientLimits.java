package io.omnipaxos.examples.kv.net;

/**
 * The node-wide limits of a node's client port, from its {@code [network]} table: what all client
 * connections together may cost the node, on top of the limits of each connection (the client
 * port's backpressure). Peer links have a port of their own and are not counted.
 *
 * @param maxConnections client connections served at once ({@code max_client_connections}); one
 *     more is closed as soon as it is accepted (a few more from loopback may administer the node)
 * @param maxUnsentReplyBytes reply bytes that all client connections together may hold unsent
 *     ({@code max_unsent_replies_mib}, in bytes): above half of it the connections that have
 *     replies unsent are not read; at it, a reply to such a connection closes the connection
 */
public record ClientLimits(int maxConnections, long maxUnsentReplyBytes) {

    /** The default of {@code max_client_connections}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 1024;

    /** The largest {@code max_client_connections} accepted: more than a process gets file descriptors for. */
    public static final int MAX_CONNECTIONS_LIMIT = 1 << 20;

    /** The default of {@code max_unsent_replies_mib}. */
    public static final long DEFAULT_MAX_UNSENT_REPLIES_MIB = 256;

    /** The largest {@code max_unsent_replies_mib} accepted (64 GiB): more than a node's memory. */
    public static final long MAX_UNSENT_REPLIES_MIB_LIMIT = 64 * 1024;

    /** Bytes in a MiB, the unit of {@code max_unsent_replies_mib}. */
    public static final long MIB = 1024 * 1024;

    /** The limits of a node whose table sets neither key. */
    public static final ClientLimits DEFAULT = new ClientLimits(DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_UNSENT_REPLIES_MIB * MIB);

    /**
     * Checks the ranges.
     *
     * @throws IllegalArgumentException naming the value if either is out of range
     */
    public ClientLimits {
        if (maxConnections < 1 || maxConnections > MAX_CONNECTIONS_LIMIT) {
            throw new IllegalArgumentException("maxConnections must be in [1, " + MAX_CONNECTIONS_LIMIT + "], got "
                    + maxConnections);
        }
        if (maxUnsentReplyBytes < MIB || maxUnsentReplyBytes > MAX_UNSENT_REPLIES_MIB_LIMIT * MIB) {
            throw new IllegalArgumentException("maxUnsentReplyBytes must be in [" + MIB + ", "
                    + MAX_UNSENT_REPLIES_MIB_LIMIT * MIB + "], got " + maxUnsentReplyBytes);
        }
    }
}
