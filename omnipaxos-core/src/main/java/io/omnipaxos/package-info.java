/**
 * OmniPaxos: a replicated log as a sans-I/O state machine. The user's surface is {@link
 * io.omnipaxos.OmniPaxos} (built from {@link io.omnipaxos.OmniPaxosConfig}, in code or from TOML),
 * {@link io.omnipaxos.LogEntry} for reads, {@link io.omnipaxos.Snapshot} for the application's
 * snapshots, and the exceptions it throws. Everything else here is package-private protocol code:
 * {@code BallotLeaderElection}; {@code SequencePaxos}, which dispatches to {@code LeaderRole} and
 * {@code FollowerRole} over their shared {@code ProtocolState}; {@code LogStore} over the user's
 * {@link io.omnipaxos.storage.Storage}; and the {@code Outbox} the user drains.
 *
 * <p>May use: {@code io.omnipaxos.messages}, {@code io.omnipaxos.storage}, {@code io.omnipaxos.codec}
 * (entry sizes, stop-sign limits, TOML loading), tomlj and slf4j-api. No threads, clocks, sockets,
 * files (outside loading a TOML file) or unseeded randomness: time is {@code tick()}.
 */
package io.omnipaxos;
