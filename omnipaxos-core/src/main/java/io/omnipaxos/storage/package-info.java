/**
 * The storage SPI the core writes through: {@link io.omnipaxos.storage.Storage} (its Javadoc states
 * ranges, durability and errors), the atomic batch of {@link io.omnipaxos.storage.StorageOp}s, and
 * {@link io.omnipaxos.storage.StorageException}, which stops the server loudly. Implementations live
 * in {@code omnipaxos-storage} (memory and persistent) or in the application. May use only {@code
 * io.omnipaxos} value types.
 */
package io.omnipaxos.storage;
