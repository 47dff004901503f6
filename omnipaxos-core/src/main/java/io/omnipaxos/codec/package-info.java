/**
 * The binary wire format: {@link io.omnipaxos.codec.MessageCodec} turns messages into frames and
 * back with explicit bounds ({@link io.omnipaxos.codec.Limits}) and a version byte, throwing {@link
 * io.omnipaxos.codec.DecodeException} naming the field and byte offset for anything malformed;
 * {@link io.omnipaxos.codec.EntryCodec} is the application's part (with ready codecs for strings,
 * longs and byte arrays). No Java serialization. May use {@code io.omnipaxos} value types and
 * {@code io.omnipaxos.messages}; nothing in the protocol depends on a frame.
 */
package io.omnipaxos.codec;
