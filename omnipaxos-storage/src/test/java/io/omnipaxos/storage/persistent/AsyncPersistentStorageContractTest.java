package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageContractTest;
import io.omnipaxos.storage.TestStringCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage contract for {@link PersistentStorage} in the asynchronous mode ({@link
 * SyncPolicy#ASYNCHRONOUS}). Reopening calls {@link PersistentStorage#sync()}, then crashes the
 * store (closes its files without committing anything, as kill -9 would) and opens the same
 * folder: everything the sync counted must be there. The decided index is flushed by every sync
 * (a zero flush interval), so it never lags and the suite's reopen checks hold for it too.
 */
class AsyncPersistentStorageContractTest extends StorageContractTest {

    @TempDir
    Path tmp;

    private final AtomicInteger stores = new AtomicInteger();
    private Path current;

    private PersistentStorageConfig<String> config(Path dir) {
        return PersistentStorageConfig.at(dir).codec(new TestStringCodec()).syncPolicy(SyncPolicy.ASYNCHRONOUS)
                .decidedIdxFlushInterval(Duration.ZERO);
    }

    @Override
    protected Storage<String> newStorage() {
        current = tmp.resolve("store-" + stores.incrementAndGet());
        return PersistentStorage.open(config(current));
    }

    @Override
    protected Storage<String> reopen(Storage<String> storage) {
        PersistentStorage<String> persistent = (PersistentStorage<String>) storage;
        persistent.sync();
        persistent.crashForTests();
        return PersistentStorage.open(config(current));
    }
}
