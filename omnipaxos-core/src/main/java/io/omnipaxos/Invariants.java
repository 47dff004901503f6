package io.omnipaxos;

/**
 * Always-on checks of protocol invariants. Unlike the {@code assert} keyword they cannot be turned
 * off: a broken invariant means the server's state can no longer be trusted, so it fails fast.
 */
final class Invariants {

    private Invariants() {}

    /**
     * Throws {@link IllegalStateException} with {@code what} if {@code condition} is false. Checks
     * run on every input, so {@code what} must be a constant: put values in the other helpers'
     * arguments, which are only formatted on failure.
     */
    static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("OmniPaxos invariant broken: " + what);
        }
    }

    /** Throws if {@code condition} is false, naming {@code what} and the server {@code pid} it concerns. */
    static void check(boolean condition, String what, long pid) {
        if (!condition) {
            throw new IllegalStateException("OmniPaxos invariant broken: " + what + " (pid " + pid + ")");
        }
    }

    /** Throws if {@code small > large} for server {@code pid}, naming both values. */
    static void atMost(String smallName, long small, String largeName, long large, long pid) {
        if (small > large) {
            throw new IllegalStateException("OmniPaxos invariant broken for pid " + pid + ": " + smallName
                    + " (" + small + ") > " + largeName + " (" + large + ")");
        }
    }

    /** Throws if {@code small > large}, naming both values. */
    static void atMost(String smallName, long small, String largeName, long large) {
        if (small > large) {
            throw new IllegalStateException("OmniPaxos invariant broken: " + smallName + " (" + small
                    + ") > " + largeName + " (" + large + ")");
        }
    }
}
