package io.omnipaxos.examples.kv.peer;

import io.omnipaxos.examples.kv.net.NodeAddressCodec;
import io.omnipaxos.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who this node is across restarts, and who its peers were: the defence against a data folder that
 * comes back empty. A node's promises live in its data folder; a folder that was wiped or replaced
 * (or a {@code --memory} node that restarted) has forgotten them, and if it rejoined as the same
 * member it could vote against what it promised and break agreement.
 *
 * <p>So every data folder gets an <em>incarnation</em> at its first start: a random 64-bit id
 * ({@link SecureRandom}), written with the pid to {@code data_dir/incarnation} (atomically, see
 * {@link IncarnationFiles}); a {@code --memory} node draws a fresh one at every start. The peer hello
 * carries it, and the table of incarnations this node has recorded, keyed by (configuration id,
 * pid); that table is kept in {@code data_dir/peers-seen} and written before anything from a newly
 * recorded link reaches the core. A hello whose incarnation differs from the recorded one is
 * refused ({@link PeerNetwork}); a node that learns that its own (configuration, pid) is known under
 * another incarnation stops ({@link DataFolderReplacedException}). New members of a reconfiguration
 * are new keys, so they need nothing special.
 *
 * <p>At most {@link #MAX_ENTRIES} entries; entries of configurations before the one the node runs
 * are dropped ({@link #forgetBelow}). Event loop only (the node's single thread), after creation.
 */
public final class Incarnations {

    /** The most recorded entries: two configurations' worth of the most nodes a configuration has. */
    public static final int MAX_ENTRIES = 2 * NodeAddressCodec.MAX_NODES;

    private static final Logger LOG = LoggerFactory.getLogger(Incarnations.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One member of one configuration, the key of the table.
     *
     * @param configurationId the configuration
     * @param pid the member
     */
    public record Member(int configurationId, long pid) {}

    private final long pid;
    private final long self;
    /** The data folder; null for a node that keeps nothing on disk. */
    private final Path dataDir;
    private final Map<Member, Long> seen;

    private Incarnations(long pid, long self, Path dataDir, Map<Member, Long> seen) {
        this.pid = pid;
        this.self = self;
        this.dataDir = dataDir;
        this.seen = seen;
    }

    /**
     * The incarnation of the data folder {@code dataDir} (created, with the folder, at its first
     * start) and the peers' incarnations recorded there.
     *
     * @throws StorageException naming the file if a file cannot be read or written, is damaged, or
     *     belongs to another pid
     */
    public static Incarnations open(Path dataDir, long pid) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StorageException("cannot create the data folder " + dataDir + ": " + e, e);
        }
        Long recorded = IncarnationFiles.readIncarnation(dataDir, pid);
        long self = recorded != null ? recorded : RANDOM.nextLong();
        if (recorded == null) {
            IncarnationFiles.writeIncarnation(dataDir, pid, self);
            LOG.info("first start of data folder {}: incarnation {}", dataDir.toAbsolutePath(), hex(self));
        }
        return new Incarnations(pid, self, dataDir, IncarnationFiles.readPeersSeen(dataDir));
    }

    /** A node that keeps nothing on disk ({@code --memory}, benchmarks): a fresh incarnation at every start. */
    public static Incarnations inMemory(long pid) {
        return new Incarnations(pid, RANDOM.nextLong(), null, new LinkedHashMap<>());
    }

    /** This node's incarnation. */
    public long self() {
        return self;
    }

    /** An incarnation as it is shown: 16 hex digits. */
    public static String hex(long incarnation) {
        return String.format("%016x", incarnation);
    }

    /** The incarnation recorded for {@code member}, or null. */
    Long recorded(Member member) {
        return seen.get(member);
    }

    /** The recorded table (read-only view). */
    Map<Member, Long> table() {
        return Collections.unmodifiableMap(seen);
    }

    /** What a hello in configuration {@code configurationId} carries: the table and this node's own entry. */
    Map<Member, Long> helloTable(int configurationId) {
        Map<Member, Long> table = new LinkedHashMap<>(seen);
        table.put(new Member(configurationId, pid), self);
        return table;
    }

    /**
     * Records that {@code peer} of configuration {@code configurationId} is {@code incarnation} (the
     * caller checked that it is not recorded otherwise) and merges the entries of {@code gossip}
     * for that configuration's other members that are not recorded yet (an entry that contradicts
     * ours is logged and ignored: the first recorded wins); this node's own entries are the
     * caller's to check. Writes the table before it returns if it changed.
     *
     * @throws StorageException naming the file if it cannot be written
     */
    void record(int configurationId, long peer, long incarnation, Map<Member, Long> gossip) {
        boolean changed = seen.putIfAbsent(new Member(configurationId, peer), incarnation) == null;
        for (Map.Entry<Member, Long> entry : gossip.entrySet()) {
            Member member = entry.getKey();
            if (member.configurationId() != configurationId || member.pid() == pid || member.pid() == peer) {
                continue;
            }
            Long known = seen.get(member);
            if (known == null && seen.size() < MAX_ENTRIES) {
                seen.put(member, entry.getValue());
                changed = true;
            } else if (known != null && known.longValue() != entry.getValue()) {
                LOG.warn("node {} says {} is incarnation {}, recorded here as {}: kept ours", peer, member,
                        hex(entry.getValue()), hex(known));
            }
        }
        if (changed) {
            persist();
        }
    }

    /** Drops the entries of configurations before {@code configurationId}, which this node has left. */
    public void forgetBelow(int configurationId) {
        if (seen.keySet().removeIf(member -> member.configurationId() < configurationId)) {
            persist();
        }
    }

    /**
     * Why this node must stop: its peers know it, member of configuration {@code configurationId},
     * as incarnation {@code known}.
     */
    String replacedMessage(int configurationId, long known) {
        String since = " since this node was a member of configuration " + configurationId + " (peers know incarnation "
                + hex(known);
        if (dataDir == null) {
            return "the state of node " + pid + ", kept in memory (--memory), was emptied" + since + ", this start is "
                    + hex(self) + "): add it back as a new node through reconfiguration";
        }
        return "data folder " + dataDir.toAbsolutePath() + " was replaced or emptied" + since + ", this folder is "
                + hex(self) + "): add it back as a new node through reconfiguration";
    }

    private void persist() {
        if (dataDir != null) {
            IncarnationFiles.writePeersSeen(dataDir, seen);
        }
    }
}
