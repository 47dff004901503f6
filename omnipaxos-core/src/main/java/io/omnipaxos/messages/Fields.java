package io.omnipaxos.messages;

import io.omnipaxos.Ballot;
import java.util.List;
import java.util.Objects;

/** Validation shared by the compact constructors of the message records. */
final class Fields {

    private Fields() {}

    static void route(long from, long to, int configurationId) {
        if (from <= 0) {
            throw new IllegalArgumentException("message from must be a pid > 0, got " + from);
        }
        if (to <= 0) {
            throw new IllegalArgumentException("message to must be a pid > 0, got " + to);
        }
        if (configurationId <= 0) {
            throw new IllegalArgumentException("configurationId must be > 0, got " + configurationId);
        }
    }

    /** Checks a log index or count against {@code [0, Message.MAX_INDEX]}. */
    static void index(String name, long value) {
        if (value < 0 || value > Message.MAX_INDEX) {
            throw new IllegalArgumentException(name + " must be in [0, " + Message.MAX_INDEX + "], got " + value);
        }
    }

    /** Checks a snapshot part number (or count) against {@code [0, Integer.MAX_VALUE]}. */
    static void partNo(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("partNo must be >= 0, got " + value);
        }
    }

    /** The most reads one {@link ReadIndexRequest} or {@link ReadIndexReply} names. */
    static final int MAX_READS_PER_MESSAGE = 1 << 20;

    /** Checks a count of reads against {@code [1, MAX_READS_PER_MESSAGE]}. */
    static void readCount(int count) {
        if (count < 1 || count > MAX_READS_PER_MESSAGE) {
            throw new IllegalArgumentException("count must be in [1, " + MAX_READS_PER_MESSAGE + "], got " + count);
        }
    }

    static void ballot(String name, Ballot ballot) {
        Objects.requireNonNull(ballot, name);
    }

    static <T> void entries(String name, List<T> entries) {
        Objects.requireNonNull(entries, name);
    }
}
