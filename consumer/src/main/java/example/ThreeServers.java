package example;

import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Three OmniPaxos servers in one process on MemoryStorage, messages passed by method call: appends
 * one entry on a server and returns what each server has decided once all have decided it.
 */
public final class ThreeServers {

    private static final int MAX_TICKS = 10_000;

    private final Map<Long, OmniPaxos<String>> servers = new TreeMap<>();

    /** Builds servers 1, 2 and 3 of configuration 1. */
    public ThreeServers() {
        List<Long> pids = List.of(1L, 2L, 3L);
        for (long pid : pids) {
            List<Long> peers = new ArrayList<>(pids);
            peers.remove(pid);
            OmniPaxosConfig config = OmniPaxosConfig.builder().configurationId(1).pid(pid).peers(peers).build();
            servers.put(pid, config.build(new MemoryStorage<>()));
        }
    }

    /** Appends {@code entry} on server {@code pid}; returns each server's decided entries once all decided it. */
    public Map<Long, List<String>> decide(long pid, String entry) {
        servers.get(pid).append(entry);
        for (int tick = 0; tick < MAX_TICKS && !allDecided(1); tick++) {
            servers.values().forEach(OmniPaxos::tick);
            deliverAll();
        }
        Map<Long, List<String>> decided = new TreeMap<>();
        servers.forEach((id, server) -> decided.put(id, decidedEntries(server)));
        return decided;
    }

    private boolean allDecided(long decidedIdx) {
        return servers.values().stream().allMatch(server -> server.getDecidedIdx() >= decidedIdx);
    }

    private void deliverAll() {
        boolean sent = true;
        while (sent) {
            sent = false;
            for (OmniPaxos<String> server : servers.values()) {
                for (Message<String> message : server.outgoingMessages()) {
                    servers.get(message.to()).handleIncoming(message);
                    sent = true;
                }
            }
        }
    }

    private static List<String> decidedEntries(OmniPaxos<String> server) {
        List<String> entries = new ArrayList<>();
        for (LogEntry<String> entry : server.readDecidedSuffix(0)) {
            if (entry instanceof LogEntry.Decided<String> decided) {
                entries.add(decided.entry());
            }
        }
        return entries;
    }

    /** Prints what each server decided. */
    public static void main(String[] args) {
        System.out.println(new ThreeServers().decide(2, "hello"));
    }
}
