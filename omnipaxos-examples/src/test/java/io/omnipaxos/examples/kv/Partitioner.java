package io.omnipaxos.examples.kv;

import java.io.IOException;
import java.util.Set;

/**
 * How a test partitions the nodes of a {@link KvCluster}: with the kernel ({@link NetnsLab}: links
 * down, packets blackholed) or inside the nodes ({@code --fault-injection}: messages dropped). The
 * same three cuts either way; {@link #heal} undoes the victim's.
 */
interface Partitioner {

    /** Cuts {@code victim} off from every other node, both ways. */
    void isolate(long victim) throws IOException, InterruptedException;

    /** Cuts the link between {@code victim} and {@code other}, both ways; both still reach the rest. */
    void cutLink(long victim, long other) throws IOException, InterruptedException;

    /** Stops what {@code victim} sends to {@code other}, only that way. */
    void cutOneWay(long victim, long other) throws IOException, InterruptedException;

    /** Undoes the cuts made with {@code victim} as the victim. */
    void heal(long victim) throws IOException, InterruptedException;

    /** What partitions, for the test's output. */
    String description();

    /** Partitions made by the kernel in {@code lab}. */
    static Partitioner kernel(NetnsLab lab, KvCluster cluster) {
        return new Partitioner() {
            @Override
            public void isolate(long victim) throws IOException {
                for (long other : cluster.othersThan(victim)) {
                    lab.linkDown(victim, other, true);
                }
            }

            @Override
            public void cutLink(long victim, long other) throws IOException {
                lab.linkDown(victim, other, true);
            }

            @Override
            public void cutOneWay(long victim, long other) throws IOException {
                lab.cut(victim, other, true);
            }

            @Override
            public void heal(long victim) throws IOException {
                lab.healAll();
            }

            @Override
            public String description() {
                return "network namespaces (links down, packets blackholed)";
            }
        };
    }

    /** Partitions made inside the nodes of {@code cluster}, started with {@link KvCluster#faultInjection()}. */
    static Partitioner insideNodes(KvCluster cluster, String why) {
        return new Partitioner() {
            @Override
            public void isolate(long victim) throws IOException, InterruptedException {
                Set<Long> others = cluster.othersThan(victim);
                cluster.cutLinks(victim, others, others);
            }

            @Override
            public void cutLink(long victim, long other) throws IOException, InterruptedException {
                cluster.cutLinks(victim, Set.of(other), Set.of(other));
            }

            @Override
            public void cutOneWay(long victim, long other) throws IOException, InterruptedException {
                cluster.cutLinks(victim, Set.of(), Set.of(other));
            }

            @Override
            public void heal(long victim) throws IOException, InterruptedException {
                cluster.cutLinks(victim, Set.of(), Set.of());
            }

            @Override
            public String description() {
                return "messages dropped inside the nodes (" + why + ")";
            }
        };
    }
}
