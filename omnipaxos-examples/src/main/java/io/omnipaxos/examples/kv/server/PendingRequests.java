package io.omnipaxos.examples.kv.server;

import io.netty.channel.Channel;
import io.omnipaxos.StopSign;
import io.omnipaxos.examples.kv.state.KvCommand;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests a node has proposed and not yet answered: commands waiting for their entry to be
 * decided, by (client, request number), and RECONFIGURE requests waiting for a stop-sign. Each is
 * counted on its connection through the {@link ClientPort}, which stops reading a connection that
 * has {@link ClientPort#MAX_PENDING_PER_CONNECTION} of them. Event loop only.
 */
final class PendingRequests {

    /** Commands waiting for their entry to be decided, over all connections; more are refused with ERROR (busy). */
    static final int MAX_COMMANDS = 200_000;

    /** RECONFIGURE requests waiting for a stop-sign; more are refused with ERROR (busy). */
    static final int MAX_RECONFIGURATIONS = 64;

    /** A request waiting for its answer: where to send it and the number it answers. */
    record Waiting(Channel channel, long requestNumber) {}

    /** A RECONFIGURE request waiting for the decision of a stop-sign, and the one it asked for. */
    record Reconfiguration(Channel channel, long requestNumber, StopSign wanted) {}

    private record Key(long clientId, long requestNumber) {}

    private final ClientPort port;
    /** Invariant: each channel's pending count in the port includes its entries here. */
    private final Map<Key, Channel> commands = new HashMap<>();
    private final List<Reconfiguration> reconfigurations = new ArrayList<>();

    PendingRequests(ClientPort port) {
        this.port = port;
    }

    /** Whether another command would exceed {@link #MAX_COMMANDS}. */
    boolean commandsFull() {
        return commands.size() >= MAX_COMMANDS;
    }

    /** Whether another reconfiguration would exceed {@link #MAX_RECONFIGURATIONS}. */
    boolean reconfigurationsFull() {
        return reconfigurations.size() >= MAX_RECONFIGURATIONS;
    }

    /**
     * {@code command} (proposed) waits on {@code channel}. A retry of a command that already waits
     * takes its place: the earlier connection gets no answer (its client gave up on it).
     */
    void addCommand(KvCommand command, Channel channel) {
        port.requestPending(channel);
        Channel previous = commands.put(new Key(command.clientId(), command.requestNumber()), channel);
        if (previous != null) {
            port.requestSettled(previous);
        }
    }

    /** The channel that waits for {@code command}'s answer, no longer waiting; null if none does. */
    Channel removeCommand(KvCommand command) {
        Channel channel = commands.remove(new Key(command.clientId(), command.requestNumber()));
        if (channel != null) {
            port.requestSettled(channel);
        }
        return channel;
    }

    /** A RECONFIGURE request for {@code wanted} waits on {@code channel}. */
    void addReconfiguration(Channel channel, long requestNumber, StopSign wanted) {
        port.requestPending(channel);
        reconfigurations.add(new Reconfiguration(channel, requestNumber, wanted));
    }

    /** Every waiting command, which no longer waits (the caller answers them). */
    List<Waiting> takeCommands() {
        List<Waiting> taken = new ArrayList<>(commands.size());
        for (Map.Entry<Key, Channel> entry : commands.entrySet()) {
            taken.add(new Waiting(entry.getValue(), entry.getKey().requestNumber()));
            port.requestSettled(entry.getValue());
        }
        commands.clear();
        return taken;
    }

    /** Every waiting RECONFIGURE request, which no longer waits (the caller answers them). */
    List<Reconfiguration> takeReconfigurations() {
        List<Reconfiguration> taken = List.copyOf(reconfigurations);
        reconfigurations.clear();
        for (Reconfiguration reconfiguration : taken) {
            port.requestSettled(reconfiguration.channel());
        }
        return taken;
    }

    /** Whether nothing waits. */
    boolean isEmpty() {
        return commands.isEmpty() && reconfigurations.isEmpty();
    }
}
