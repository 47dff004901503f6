package io.omnipaxos.examples;

import io.omnipaxos.LogEntry;
import io.omnipaxos.OmniPaxos;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.codec.DecodeException;
import io.omnipaxos.codec.EntryCodec;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.messages.Message;
import io.omnipaxos.storage.memory.MemoryStorage;
import io.omnipaxos.storage.persistent.PersistentStorage;
import io.omnipaxos.storage.persistent.PersistentStorageConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every ```java block of README.md and docs/, line for line (indentation aside), inside code that
 * compiles: {@link ReadmeSnippetsTest} checks that each block appears here and runs the tutorial's.
 * Change a block in the README and this file together; the test fails when they drift apart.
 */
final class ReadmeSnippets {

    // Tutorial, step 1: the entry type.
    record KeyValue(String key, long value) {}

    /** Where the network loop of step 4 sends its frames. */
    interface Network {
        void send(long to, byte[] frame);
    }

    /** The entries step 5 applied, in order. */
    final List<KeyValue> applied = new ArrayList<>();

    /** Tutorial, step 2: the configuration from the README's TOML file, saved as node2.toml. */
    static OmniPaxosConfig configFromToml() {
        OmniPaxosConfig config = OmniPaxosConfig.withToml(Path.of("node2.toml"));   // the file above
        return config;
    }

    /** Tutorial, step 2: the configuration in code. */
    static OmniPaxosConfig configInCode() {
        OmniPaxosConfig config = OmniPaxosConfig.builder()
                .configurationId(1).pid(2).peers(List.of(1L, 3L))
                .batchSize(100)                      // optional tuning keys, see below
                .build();
        return config;
    }

    /** Tutorial, step 3: the server on a storage. */
    static OmniPaxos<KeyValue> buildServer(OmniPaxosConfig config) {
        OmniPaxos<KeyValue> omniPaxos = config.build(new MemoryStorage<>());
        return omniPaxos;
    }

    /** Tutorial, step 4: one turn of the network loop, on a frame received from a peer. */
    static void networkLoop(OmniPaxos<KeyValue> omniPaxos, EntryCodec<KeyValue> keyValueCodec, byte[] frame,
                            Network network) {
        MessageCodec<KeyValue> codec = new MessageCodec<>(keyValueCodec);
        // on a timer, every 10 ms:
        omniPaxos.tick();
        // for each frame received from a peer:
        omniPaxos.handleIncoming(codec.decode(frame));
        // after each of the above:
        for (Message<KeyValue> message : omniPaxos.outgoingMessages()) {
            network.send(message.to(), codec.encode(message));
        }
    }

    /** Tutorial, step 5: append, then apply what is decided after {@code lastApplied}. */
    void appendAndRead(OmniPaxos<KeyValue> omniPaxos, long lastApplied) {
        omniPaxos.append(new KeyValue("a", 1));
        long decided = omniPaxos.getDecidedIdx();
        List<LogEntry<KeyValue>> entries = omniPaxos.readDecidedSuffix(lastApplied);
        for (LogEntry<KeyValue> entry : entries) {
            if (entry instanceof LogEntry.Decided<KeyValue> d) {
                apply(d.entry());
            }
        }
    }

    private void apply(KeyValue entry) {
        applied.add(entry);
    }

    /** Storage section: a persistent store (compiled only; it would write to /var/lib). */
    static PersistentStorage<KeyValue> openPersistentStorage(EntryCodec<KeyValue> keyValueCodec) {
        PersistentStorage<KeyValue> storage = PersistentStorage.open(
                PersistentStorageConfig.at(Path.of("/var/lib/node2")).codec(keyValueCodec));
        return storage;
    }

    /** The codec the snippets take as {@code keyValueCodec}: key length, key (UTF-8), value. */
    static final class KeyValueCodec implements EntryCodec<KeyValue> {
        @Override
        public void encode(KeyValue entry, ByteBuffer out) {
            byte[] key = entry.key().getBytes(StandardCharsets.UTF_8);
            out.putInt(key.length).put(key).putLong(entry.value());
        }

        @Override
        public int encodedSize(KeyValue entry) {
            return 4 + entry.key().getBytes(StandardCharsets.UTF_8).length + 8;
        }

        @Override
        public KeyValue decode(ByteBuffer in) {
            int length = in.getInt();
            if (length < 0 || length != in.remaining() - 8) {
                throw new DecodeException("KeyValue: key length " + length + " does not fit " + in.remaining() + " bytes");
            }
            byte[] key = new byte[length];
            in.get(key);
            return new KeyValue(new String(key, StandardCharsets.UTF_8), in.getLong());
        }
    }
}
