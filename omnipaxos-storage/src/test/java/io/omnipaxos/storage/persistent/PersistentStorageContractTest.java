package io.omnipaxos.storage.persistent;

import io.omnipaxos.storage.Storage;
import io.omnipaxos.storage.StorageContractTest;
import io.omnipaxos.storage.TestStringCodec;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract for {@link PersistentStorage}; reopen closes and opens the same folder. */
class PersistentStorageContractTest extends StorageContractTest {

    @TempDir
    Path tmp;

    private final AtomicInteger stores = new AtomicInteger();
    private Path current;

    private PersistentStorageConfig<String> config(Path dir) {
        return PersistentStorageConfig.at(dir).codec(new TestStringCodec());
    }

    @Override
    protected Storage<String> newStorage() {
        current = tmp.resolve("store-" + stores.incrementAndGet());
        return PersistentStorage.open(config(current));
    }

    @Override
    protected Storage<String> reopen(Storage<String> storage) {
        storage.close();
        return PersistentStorage.open(config(current));
    }
}
