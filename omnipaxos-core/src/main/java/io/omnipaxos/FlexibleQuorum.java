package io.omnipaxos;

/**
 * Quorum sizes other than a majority. The prepare phase waits for {@code readQuorumSize} promises
 * and an entry is decided once {@code writeQuorumSize} servers accepted it. Any read quorum must
 * intersect any write quorum, so {@code readQuorumSize + writeQuorumSize > N}.
 *
 * @param readQuorumSize servers needed to become leader, in {@code [2, N]}
 * @param writeQuorumSize servers needed to decide an entry, in {@code [2, N]}
 */
public record FlexibleQuorum(int readQuorumSize, int writeQuorumSize) {

    /**
     * Checks the sizes against a cluster of {@code nodeCount} servers.
     *
     * @throws ConfigException naming the offending size
     */
    void validateFor(int nodeCount) {
        checkSize("read_quorum_size", readQuorumSize, nodeCount);
        checkSize("write_quorum_size", writeQuorumSize, nodeCount);
        if (readQuorumSize + writeQuorumSize <= nodeCount) {
            throw new ConfigException("flexible_quorum: read_quorum_size + write_quorum_size must be > "
                    + nodeCount + " (the number of nodes) so that quorums intersect, got "
                    + readQuorumSize + " + " + writeQuorumSize);
        }
    }

    private static void checkSize(String key, int size, int nodeCount) {
        if (size < 2 || size > nodeCount) {
            throw new ConfigException("flexible_quorum." + key + " must be in [2, " + nodeCount
                    + "] (the number of nodes), got " + size);
        }
    }
}
