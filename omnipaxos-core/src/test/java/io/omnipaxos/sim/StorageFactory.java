package io.omnipaxos.sim;

import io.omnipaxos.storage.Storage;

/** How a {@link SimulatedCluster} creates each server's storage and reopens it after a crash. */
public interface StorageFactory {

    /** A fresh, empty storage for server {@code pid}. */
    Storage<String> create(long pid);

    /**
     * Models a crash of server {@code pid}: {@code crashed} is abandoned and the durable state is
     * opened again. An in-memory storage returns the same object (it plays the disk).
     */
    Storage<String> reopen(long pid, Storage<String> crashed);

    /**
     * {@link DelayedStorage}: asynchronous, with writes completed when the simulator decides
     * ({@link SimulatedCluster#step}); a crash loses the writes not completed.
     */
    static StorageFactory delayed() {
        return new StorageFactory() {
            @Override
            public Storage<String> create(long pid) {
                return new DelayedStorage();
            }

            @Override
            public Storage<String> reopen(long pid, Storage<String> crashed) {
                return ((DelayedStorage) crashed).reopen();
            }
        };
    }

    /** {@link ListStorage}, kept across crashes. */
    static StorageFactory inMemory() {
        return new StorageFactory() {
            @Override
            public Storage<String> create(long pid) {
                return new ListStorage<>();
            }

            @Override
            public Storage<String> reopen(long pid, Storage<String> crashed) {
                return crashed;
            }
        };
    }
}
