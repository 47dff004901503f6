package io.omnipaxos.examples.kv.server;

import io.netty.channel.Channel;
import io.omnipaxos.ReadIndex;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvReply;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;

/**
 * GETs served through OmniPaxos's read index instead of the log: a GET asks for a read, and once
 * the read is confirmed and this node has applied the log up to its index, the GET is answered
 * from the node's own state machine. A read that is not confirmed (the leader changed, or could not
 * confirm in time) goes through the log on a node that still leads, and is answered NOT_LEADER on
 * any other, so the client tries again. Event loop only.
 */
final class LinearizableGets {

    /** The most GETs waiting at once; more are answered busy. */
    static final int MAX_WAITING = 200_000;

    private record Get(Channel channel, KvCommand command) {}

    private record Confirmed(long readIdx, Get get) {}

    private final Map<Long, Get> asked = new HashMap<>();
    private final PriorityQueue<Confirmed> confirmed = new PriorityQueue<>(Comparator.comparingLong(Confirmed::readIdx));

    /** Whether another GET may wait. */
    boolean full() {
        return asked.size() + confirmed.size() >= MAX_WAITING;
    }

    /** A GET waits for read {@code readId}. */
    void waitFor(long readId, KvCommand get, Channel channel) {
        asked.put(readId, new Get(channel, get));
    }

    /**
     * Reads were answered: confirmed ones wait for the applied index, the others go to {@code
     * notConfirmed} (which sends the GET through the log on a leader, or answers NOT_LEADER).
     */
    void onReady(List<ReadIndex> reads, BiConsumer<KvCommand, Channel> notConfirmed) {
        for (ReadIndex read : reads) {
            Get get = asked.remove(read.readId());
            if (get == null) {
                continue; // a read of a node that was replaced meanwhile
            }
            if (read.confirmed()) {
                confirmed.add(new Confirmed(read.readIdx(), get));
            } else {
                notConfirmed.accept(get.command(), get.channel());
            }
        }
    }

    /** Answers the confirmed GETs whose read index this node has applied. */
    void answerApplied(long appliedIdx, KvStateMachine machine, BiConsumer<Channel, KvReply> reply) {
        while (!confirmed.isEmpty() && confirmed.peek().readIdx() <= appliedIdx) {
            Get get = confirmed.poll().get();
            reply.accept(get.channel(), machine.read(get.command()));
        }
    }

    /** Every waiting GET gets {@code answer}'s reply: the node that asked for their reads is gone. */
    void answerAll(LongFunction<KvReply> answer, BiConsumer<Channel, KvReply> reply) {
        List<Get> all = new ArrayList<>(asked.values());
        confirmed.forEach(c -> all.add(c.get()));
        asked.clear();
        confirmed.clear();
        for (Get get : all) {
            reply.accept(get.channel(), answer.apply(get.command().requestNumber()));
        }
    }
}
