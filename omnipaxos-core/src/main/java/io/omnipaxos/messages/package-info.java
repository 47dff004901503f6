/**
 * The messages servers exchange: one record per message type, grouped under the sealed interfaces
 * {@link io.omnipaxos.messages.SequencePaxosMessage} and {@link
 * io.omnipaxos.messages.BallotLeaderMessage}. Each record validates its fields in its compact
 * constructor. Plain data with no behaviour; may use only {@code io.omnipaxos} value types
 * ({@code Ballot}, {@code StopSign}, {@code ClusterConfig}).
 */
package io.omnipaxos.messages;
