package io.omnipaxos;

import java.util.Arrays;
import java.util.Objects;

/**
 * The last entry of a configuration's log: once decided, the configuration is finished and the
 * servers of {@link #nextConfig()} continue in a new {@link OmniPaxos} instance with the next
 * configuration id. Proposed with {@link OmniPaxos#reconfigure}.
 *
 * @param nextConfig the cluster that takes over; its configuration id must differ from the current one
 * @param metadata opaque bytes for the application (e.g. where new servers fetch the state); may be
 *     empty, never null. The array is copied on the way in and out.
 */
public record StopSign(ClusterConfig nextConfig, byte[] metadata) {

    /** Validates and copies the fields. */
    public StopSign {
        Objects.requireNonNull(nextConfig, "nextConfig");
        metadata = Objects.requireNonNull(metadata, "metadata").clone();
    }

    /** A stop-sign without metadata. */
    public StopSign(ClusterConfig nextConfig) {
        this(nextConfig, new byte[0]);
    }

    /** A copy of the metadata. */
    @Override
    public byte[] metadata() {
        return metadata.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StopSign s && nextConfig.equals(s.nextConfig) && Arrays.equals(metadata, s.metadata);
    }

    @Override
    public int hashCode() {
        return 31 * nextConfig.hashCode() + Arrays.hashCode(metadata);
    }

    @Override
    public String toString() {
        return "StopSign[nextConfig=" + nextConfig + ", metadata=" + metadata.length + " bytes]";
    }
}
