/**
 * The runnable jar's entry point, {@link io.omnipaxos.examples.kv.KvMain}: the key-value store's
 * {@code server}, {@code client}, {@code status} and {@code completion} commands under one name,
 * {@code omnipaxos-kv}. The store itself lives in the sub-packages, one per role.
 */
package io.omnipaxos.examples.kv;
