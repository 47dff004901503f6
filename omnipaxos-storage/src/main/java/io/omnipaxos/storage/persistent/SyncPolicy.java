package io.omnipaxos.storage.persistent;

/**
 * When a {@link PersistentStorage} forces log records to the disk. Under the two synchronous
 * policies, state kept in MapDB (promise, accepted round, log bookkeeping) is committed by every
 * call that changes it; under {@link #ASYNCHRONOUS}, by the next {@link PersistentStorage#sync()}.
 */
public enum SyncPolicy {

    /**
     * The default, and the only synchronous policy that keeps the {@code Storage} contract: every
     * call that writes log records msyncs them before it returns (and before the MapDB commit that
     * refers to them). Survives a process crash, an OS crash and a power loss.
     */
    SYNC_EVERY_WRITE,

    /**
     * Log records are left to the OS page cache, which writes them back when it likes. Survives a
     * process crash ({@code kill -9}), because the memory-mapped pages belong to the OS; an OS crash
     * or power loss may lose acknowledged entries, and a MapDB commit may then refer to records that
     * never reached the disk, so the store may refuse to open (it names the missing or corrupt
     * record) rather than silently lose entries. Worse, the promise (in MapDB) can survive while
     * entries this server acknowledged as accepted are lost: if that happens to enough servers at
     * once, a decided entry can be lost and two entries decided for one slot, so Paxos's agreement
     * no longer holds. Use only where losing the cluster's data is acceptable, e.g. benchmarks.
     */
    OS_PAGE_CACHE,

    /**
     * The asynchronous mode of the {@code Storage} SPI ({@code Storage.isAsynchronous()} is true):
     * a write changes what the getters return and returns, without an fsync or a MapDB commit; a
     * call of {@link PersistentStorage#sync()}, typically on a thread of its own, makes every write
     * made before it durable with one fsync of the log (and, if a write needs one, one MapDB commit)
     * and returns how many writes are durable, which the application reports to the server with
     * {@code OmniPaxos.persisted(n)}. Writes become durable in order and a crash (kill -9, OS crash,
     * power loss) reopens the store with a prefix of them, each write whole; as under {@link
     * #SYNC_EVERY_WRITE}, the decided index may lag (see {@link PersistentStorage}). As safe as
     * {@link #SYNC_EVERY_WRITE}, with one fsync for any number of writes, none on the writer's thread.
     */
    ASYNCHRONOUS
}
