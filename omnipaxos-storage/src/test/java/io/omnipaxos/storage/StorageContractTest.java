package io.omnipaxos.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.Ballot;
import io.omnipaxos.ClusterConfig;
import io.omnipaxos.StopSign;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The behaviour every {@link Storage} must have, run against each implementation by a subclass.
 * Subclasses say how to make a fresh storage and how to "reopen" it (close and open the same
 * place; for a storage without files, return the same object).
 */
public abstract class StorageContractTest {

    /** The storage under test; tests that reopen replace it. */
    protected Storage<String> s;

    /** Returns a fresh, empty storage. */
    protected abstract Storage<String> newStorage();

    /** Closes {@code storage} and opens the same place again (or returns it, if it has no files). */
    protected abstract Storage<String> reopen(Storage<String> storage);

    @BeforeEach
    void openStorage() {
        s = newStorage();
    }

    @AfterEach
    void closeStorage() {
        s.close();
    }

    /** A snapshot of everything observable, to compare before and after. */
    protected record State(long length, long compacted, long decided, Ballot promise, Ballot accepted,
            List<String> entries) {
        static State of(Storage<String> st) {
            return new State(st.getLogLength(), st.getCompactedIdx(), st.getDecidedIdx(), st.getPromise(),
                    st.getAcceptedRound(), st.getSuffix(st.getCompactedIdx()));
        }
    }

    protected static Ballot ballot(long n, long pid) {
        return new Ballot(n, 0, pid);
    }

    protected static List<String> entries(String... es) {
        return Arrays.asList(es);
    }

    /** A stop-sign naming the next configuration {@code id}, with metadata. */
    protected static StopSign stopSign(int id, long... nodes) {
        List<Long> pids = new ArrayList<>();
        for (long pid : nodes) {
            pids.add(pid);
        }
        return new StopSign(new ClusterConfig(id, pids), ("next-" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Asserts that {@code call} throws IllegalArgumentException naming {@code value} and changes nothing. */
    protected void assertRejected(String value, Executable call) {
        State before = State.of(s);
        Optional<String> snapshotBefore = s.getSnapshot();
        Optional<StopSign> stopSignBefore = s.getStopSign();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(value),
                "message should name " + value + ": " + e.getMessage());
        assertEquals(before, State.of(s), "a rejected call must leave the storage unchanged");
        assertEquals(snapshotBefore, s.getSnapshot(), "a rejected call must leave the snapshot unchanged");
        assertEquals(stopSignBefore, s.getStopSign(), "a rejected call must leave the stop-sign unchanged");
    }

    // ---- a fresh storage ----

    @Test
    void freshStorageIsEmpty() {
        assertEquals(new State(0, 0, 0, Ballot.NONE, Ballot.NONE, List.of()), State.of(s));
        assertEquals(List.of(), s.getEntries(0, 0));
        assertEquals(Optional.empty(), s.getSnapshot());
        assertEquals(Optional.empty(), s.getStopSign());
    }

    // ---- appends and reads ----

    @Test
    void appendEntryAndAppendEntriesAreReadBackInOrder() {
        s.appendEntry("a");
        s.appendEntries(entries("b", "c", "d"));
        s.appendEntries(List.of());
        s.appendEntry("");
        assertEquals(5, s.getLogLength());
        assertEquals(entries("a", "b", "c", "d", ""), s.getEntries(0, 5));
        assertEquals(entries("b", "c"), s.getEntries(1, 3));
        assertEquals(List.of(), s.getEntries(2, 2));
        assertEquals(List.of(), s.getEntries(5, 5));
        assertEquals(entries("d", ""), s.getSuffix(3));
        assertEquals(List.of(), s.getSuffix(5));
    }

    @Test
    void appendEntriesAcceptsAnyListKind() {
        s.appendEntries(new LinkedList<>(entries("x", "y")));
        s.appendEntries(new ArrayList<>(entries("z")));
        assertEquals(entries("x", "y", "z"), s.getSuffix(0));
    }

    @Test
    void storageKeepsItsOwnCopyOfEntryLists() {
        List<String> batch = new ArrayList<>(entries("a", "b"));
        s.appendEntries(batch);
        batch.set(0, "changed");
        batch.add("more");
        assertEquals(entries("a", "b"), s.getSuffix(0));
    }

    @Test
    void nonAsciiAndLargeBatchesRoundTrip() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            many.add("entry-" + i + (i % 7 == 0 ? "-ünï©ødé-\u00e9\u4e2d" : ""));
        }
        s.appendEntries(many);
        assertEquals(many, s.getSuffix(0));
        assertEquals(many.subList(4_321, 4_400), s.getEntries(4_321, 4_400));
    }

    @Test
    void readsOutsideTheLogAreRejected() {
        s.appendEntries(entries("a", "b", "c"));
        assertRejected("4", () -> s.getEntries(0, 4));
        assertRejected("-1", () -> s.getEntries(-1, 2));
        assertRejected("[2, 1)", () -> s.getEntries(2, 1));
        assertRejected("4", () -> s.getSuffix(4));
    }

    @Test
    void nullEntriesAreRejected() {
        s.appendEntries(entries("a"));
        assertRejected("null", () -> s.appendEntry(null));
        assertRejected("null", () -> s.appendEntries(null));
        assertRejected("entries[1]", () -> s.appendEntries(entries("b", null, "c")));
        assertRejected("entries[0]", () -> s.appendOnPrefix(0, entries((String) null)));
        assertRejected("null", () -> s.appendOnPrefix(1, null));
    }

    // ---- appendOnPrefix ----

    @Test
    void appendOnPrefixReplacesTheSuffix() {
        s.appendEntries(entries("a", "b", "c", "d"));
        s.appendOnPrefix(2, entries("X"));
        assertEquals(entries("a", "b", "X"), s.getSuffix(0));
        s.appendOnPrefix(1, entries("P", "Q", "R", "S"));
        assertEquals(entries("a", "P", "Q", "R", "S"), s.getSuffix(0));
        assertEquals(5, s.getLogLength());
    }

    @Test
    void appendOnPrefixAtLogLengthAppends() {
        s.appendEntries(entries("a", "b"));
        s.appendOnPrefix(2, entries("c"));
        assertEquals(entries("a", "b", "c"), s.getSuffix(0));
    }

    @Test
    void appendOnPrefixWithNoEntriesTruncates() {
        s.appendEntries(entries("a", "b", "c"));
        s.appendOnPrefix(1, List.of());
        assertEquals(1, s.getLogLength());
        assertEquals(entries("a"), s.getSuffix(0));
        s.appendEntry("z");
        assertEquals(entries("a", "z"), s.getSuffix(0));
    }

    @Test
    void appendOnPrefixAtTheCompactedIndex() {
        s.appendEntries(entries("a", "b", "c", "d"));
        s.trim(2);
        s.appendOnPrefix(2, entries("X", "Y", "Z"));
        assertEquals(5, s.getLogLength());
        assertEquals(entries("X", "Y", "Z"), s.getSuffix(2));
    }

    @Test
    void appendOnPrefixOutsideTheLogIsRejected() {
        s.appendEntries(entries("a", "b", "c"));
        s.trim(1);
        assertRejected("4", () -> s.appendOnPrefix(4, entries("x")));
        assertRejected("0", () -> s.appendOnPrefix(0, entries("x")));
        assertRejected("-1", () -> s.appendOnPrefix(-1, entries("x")));
    }

    // ---- promise, accepted round, decided index ----

    @Test
    void ballotsAndDecidedIndexAreStored() {
        s.setPromise(new Ballot(3, 7, 2));
        s.setAcceptedRound(new Ballot(2, 1, 5));
        s.appendEntries(entries("a", "b", "c"));
        s.setDecidedIdx(2);
        assertEquals(new Ballot(3, 7, 2), s.getPromise());
        assertEquals(new Ballot(2, 1, 5), s.getAcceptedRound());
        assertEquals(2, s.getDecidedIdx());
        s.setPromise(ballot(4, 1));
        s.setAcceptedRound(ballot(4, 1));
        s.setDecidedIdx(3);
        assertEquals(ballot(4, 1), s.getPromise());
        assertEquals(ballot(4, 1), s.getAcceptedRound());
        assertEquals(3, s.getDecidedIdx());
    }

    @Test
    void invalidBallotsAndDecidedIndexAreRejected() {
        s.setPromise(ballot(1, 1));
        assertRejected("promise", () -> s.setPromise(null));
        assertRejected("acceptedRound", () -> s.setAcceptedRound(null));
        assertRejected("-5", () -> s.setDecidedIdx(-5));
    }

    // ---- trim and compacted index ----

    @Test
    void trimRemovesThePrefixButKeepsTheLength() {
        s.appendEntries(entries("a", "b", "c", "d", "e"));
        s.trim(3);
        assertEquals(3, s.getCompactedIdx());
        assertEquals(5, s.getLogLength());
        assertEquals(entries("d", "e"), s.getSuffix(3));
        assertEquals(entries("d"), s.getEntries(3, 4));
        assertRejected("2", () -> s.getEntries(2, 4));
        assertRejected("0", () -> s.getSuffix(0));
        s.appendEntry("f");
        assertEquals(entries("d", "e", "f"), s.getSuffix(3));
    }

    @Test
    void trimToTheLogLengthThenAppend() {
        s.appendEntries(entries("a", "b"));
        s.trim(2);
        assertEquals(List.of(), s.getSuffix(2));
        s.trim(2);
        s.appendEntries(entries("c", "d"));
        assertEquals(entries("c", "d"), s.getSuffix(2));
        assertEquals(4, s.getLogLength());
    }

    @Test
    void trimOutsideTheLogIsRejected() {
        s.appendEntries(entries("a", "b", "c"));
        s.trim(2);
        assertRejected("1", () -> s.trim(1));
        assertRejected("4", () -> s.trim(4));
        assertRejected("-1", () -> s.trim(-1));
    }

    @Test
    void setCompactedIdxHidesThePrefix() {
        s.appendEntries(entries("a", "b", "c", "d"));
        s.setCompactedIdx(2);
        assertEquals(2, s.getCompactedIdx());
        assertEquals(4, s.getLogLength());
        assertEquals(entries("c", "d"), s.getSuffix(2));
        assertRejected("1", () -> s.getEntries(1, 3));
        s.trim(3);
        assertEquals(entries("d"), s.getSuffix(3));
        assertRejected("2", () -> s.setCompactedIdx(2));
        assertRejected("5", () -> s.setCompactedIdx(5));
    }

    // ---- snapshots ----

    @Test
    void setSnapshotWithinTheLogReplacesThePrefix() {
        s.appendEntries(entries("a", "b", "c", "d", "e"));
        s.setStopSign(stopSign(2, 1, 2, 3));
        s.setSnapshot(3, "abc");
        assertEquals(new State(5, 3, 0, Ballot.NONE, Ballot.NONE, entries("d", "e")), State.of(s));
        assertEquals(Optional.of("abc"), s.getSnapshot());
        assertEquals(Optional.of(stopSign(2, 1, 2, 3)), s.getStopSign(), "setSnapshot leaves the stop-sign alone");
        assertRejected("2", () -> s.getEntries(2, 4));
        s.setSnapshot(3, "ABC"); // the same index again: replaces the snapshot
        assertEquals(Optional.of("ABC"), s.getSnapshot());
        s.setSnapshot(5, "abcde"); // exactly the log end
        assertEquals(new State(5, 5, 0, Ballot.NONE, Ballot.NONE, List.of()), State.of(s));
        s.appendEntry("f");
        assertEquals(entries("f"), s.getSuffix(5));
        assertEquals(Optional.of("abcde"), s.getSnapshot());
    }

    @Test
    void setSnapshotBeyondTheLogEndMakesTheLogJump() {
        s.appendEntries(entries("a", "b", "c"));
        s.trim(1);
        s.setSnapshot(10, "0..9");
        assertEquals(new State(10, 10, 0, Ballot.NONE, Ballot.NONE, List.of()), State.of(s));
        assertEquals(Optional.of("0..9"), s.getSnapshot());
        assertRejected("9", () -> s.getEntries(9, 10));
        s.appendEntry("k");
        s.appendEntries(entries("l", "m"));
        assertEquals(13, s.getLogLength());
        assertEquals(entries("k", "l", "m"), s.getSuffix(10));
        s.appendOnPrefix(11, entries("L"));
        assertEquals(entries("k", "L"), s.getSuffix(10));
        s.setSnapshot(20, "0..19"); // jumps again, past entries that were there
        s.appendOnPrefix(20, entries("u"));
        assertEquals(entries("u"), s.getSuffix(20));
        assertEquals(21, s.getLogLength());
    }

    @Test
    void invalidSnapshotsAreRejected() {
        s.appendEntries(entries("a", "b", "c", "d"));
        s.setSnapshot(3, "abc");
        assertRejected("2", () -> s.setSnapshot(2, "ab"));
        assertRejected("null", () -> s.setSnapshot(4, null));
        assertRejected("1", () -> s.writeAtomically(List.of(new StorageOp.SetSnapshot<>(1, "a"))));
    }

    @Test
    void trimPastTheCompactedIndexDropsTheSnapshot() {
        s.appendEntries(entries("a", "b", "c", "d", "e"));
        s.setSnapshot(2, "ab");
        s.trim(2); // to the same index: the snapshot still covers the prefix
        assertEquals(Optional.of("ab"), s.getSnapshot());
        s.trim(4);
        assertEquals(Optional.empty(), s.getSnapshot());
        assertEquals(entries("e"), s.getSuffix(4));
        s.writeAtomically(List.of(new StorageOp.SetSnapshot<>(4, "abcd"), new StorageOp.Trim<>(5)));
        assertEquals(Optional.empty(), s.getSnapshot(), "a trim later in the same batch drops it too");
        assertEquals(5, s.getCompactedIdx());
    }

    // ---- stop-sign ----

    @Test
    void theStopSignIsIndependentOfTheEntries() {
        StopSign ss = stopSign(7, 4, 5, 6);
        s.setStopSign(ss);
        assertEquals(Optional.of(ss), s.getStopSign());
        s.appendEntries(entries("a", "b", "c"));
        s.appendEntry("d");
        s.appendOnPrefix(1, entries("X"));
        s.trim(1);
        assertEquals(Optional.of(ss), s.getStopSign());
        s.setStopSign(stopSign(8, 1, 2));
        assertEquals(Optional.of(stopSign(8, 1, 2)), s.getStopSign());
        s.setStopSign(null);
        assertEquals(Optional.empty(), s.getStopSign());
        s.setStopSign(null); // removing nothing is fine
        assertEquals(Optional.empty(), s.getStopSign());
        assertEquals(entries("X"), s.getSuffix(1));
    }

    @Test
    void aDecidedIndexOneAfterTheLogWithAStopSignSurvivesReopen() {
        s.appendEntries(entries("a", "b", "c"));
        StopSign ss = stopSign(2, 1, 2);
        s.writeAtomically(List.of(new StorageOp.SetStopSign<>(ss), new StorageOp.SetDecidedIdx<>(4)));
        assertEquals(4, s.getDecidedIdx());
        s = reopen(s);
        assertEquals(new State(3, 0, 4, Ballot.NONE, Ballot.NONE, entries("a", "b", "c")), State.of(s));
        assertEquals(Optional.of(ss), s.getStopSign());
        s.setDecidedIdx(4); // and directly, not only in a batch
        s = reopen(s);
        assertEquals(4, s.getDecidedIdx());
    }

    @Test
    void snapshotTrimAndStopSignSurviveReopen() {
        s.appendEntries(entries("a", "b", "c", "d", "e", "f"));
        s.setSnapshot(2, "ab");
        s.setStopSign(stopSign(3, 1, 2, 3));
        s = reopen(s);
        assertEquals(new State(6, 2, 0, Ballot.NONE, Ballot.NONE, entries("c", "d", "e", "f")), State.of(s));
        assertEquals(Optional.of("ab"), s.getSnapshot());
        assertEquals(Optional.of(stopSign(3, 1, 2, 3)), s.getStopSign());

        s.trim(4);
        s = reopen(s);
        assertEquals(Optional.empty(), s.getSnapshot(), "a trim past the snapshot is durable too");
        assertEquals(entries("e", "f"), s.getSuffix(4));

        s.setSnapshot(9, "0..8");
        s.setStopSign(null);
        s = reopen(s);
        assertEquals(new State(9, 9, 0, Ballot.NONE, Ballot.NONE, List.of()), State.of(s));
        assertEquals(Optional.of("0..8"), s.getSnapshot());
        assertEquals(Optional.empty(), s.getStopSign());
        s.appendEntry("j");
        s = reopen(s);
        assertEquals(entries("j"), s.getSuffix(9));
        assertEquals(Optional.of("0..8"), s.getSnapshot());
    }

    @Test
    void aLargeSnapshotRoundTrips() {
        StringBuilder big = new StringBuilder();
        for (int i = 0; big.length() < 3_000_000; i++) {
            big.append("key-").append(i).append("=value-").append(i).append(';');
        }
        s.appendEntries(entries("a", "b"));
        s.setSnapshot(2, big.toString());
        s.setPromise(ballot(1, 1)); // a commit that does not change the snapshot
        s = reopen(s);
        assertEquals(Optional.of(big.toString()), s.getSnapshot());
        assertEquals(ballot(1, 1), s.getPromise());
    }

    // ---- writeAtomically ----

    @Test
    void writeAtomicallyAppliesMixedOpsInOrder() {
        s.writeAtomically(List.of(
                new StorageOp.AppendEntries<>(entries("a", "b", "c")),
                new StorageOp.AppendOnPrefix<>(1, entries("X", "Y")),
                new StorageOp.AppendEntry<>("Z"),
                new StorageOp.SetAcceptedRound<>(ballot(2, 3)),
                new StorageOp.SetPromise<>(ballot(2, 3)),
                new StorageOp.SetDecidedIdx<>(3),
                new StorageOp.Trim<>(1),
                new StorageOp.SetCompactedIdx<>(2),
                new StorageOp.SetPromise<>(ballot(5, 1))));
        assertEquals(new State(4, 2, 3, ballot(5, 1), ballot(2, 3), entries("Y", "Z")), State.of(s));
    }

    @Test
    void writeAtomicallyOfNothingChangesNothing() {
        s.appendEntry("a");
        State before = State.of(s);
        s.writeAtomically(List.of());
        assertEquals(before, State.of(s));
    }

    @Test
    void anInvalidOpInABatchAppliesNothing() {
        s.appendEntries(entries("a", "b"));
        s.setPromise(ballot(1, 1));
        // The AppendOnPrefix at 5 is valid only if the earlier ops have run; the trim at 9 never is.
        List<StorageOp<String>> ops = List.of(
                new StorageOp.SetPromise<>(ballot(9, 9)),
                new StorageOp.AppendEntries<>(entries("c", "d", "e")),
                new StorageOp.AppendOnPrefix<>(5, entries("f")),
                new StorageOp.SetDecidedIdx<>(4),
                new StorageOp.Trim<>(9));
        assertRejected("9", () -> s.writeAtomically(ops));
        assertRejected("entries[1]", () -> s.writeAtomically(List.of(
                new StorageOp.SetAcceptedRound<>(ballot(3, 3)),
                new StorageOp.AppendEntries<>(entries("c", null)))));
        assertRejected("3", () -> s.writeAtomically(List.of(
                new StorageOp.AppendOnPrefix<>(0, entries("x")),
                new StorageOp.AppendOnPrefix<>(3, entries("y")))));
        assertRejected("null", () -> s.writeAtomically(null));
        assertRejected("null", () -> s.writeAtomically(Arrays.asList(new StorageOp.SetDecidedIdx<>(1), null)));
    }

    @Test
    void theCoresSnapshotBatchAppliesWholeAndSurvivesReopen() {
        s.appendEntries(entries("a", "b", "c"));
        StopSign ss = stopSign(2, 1, 2, 3);
        s.writeAtomically(List.of(
                new StorageOp.SetSnapshot<>(5, "0..4"),
                new StorageOp.AppendOnPrefix<>(5, entries("f", "g")),
                new StorageOp.SetStopSign<>(ss),
                new StorageOp.SetAcceptedRound<>(ballot(3, 2)),
                new StorageOp.SetDecidedIdx<>(8)));
        State expected = new State(7, 5, 8, Ballot.NONE, ballot(3, 2), entries("f", "g"));
        assertEquals(expected, State.of(s));
        assertEquals(Optional.of("0..4"), s.getSnapshot());
        assertEquals(Optional.of(ss), s.getStopSign());
        s = reopen(s);
        assertEquals(expected, State.of(s));
        assertEquals(Optional.of("0..4"), s.getSnapshot());
        assertEquals(Optional.of(ss), s.getStopSign());
        // The same kind of batch within the log, removing the stop-sign.
        s.writeAtomically(List.of(
                new StorageOp.SetSnapshot<>(6, "0..5"),
                new StorageOp.AppendOnPrefix<>(6, entries("G", "H")),
                new StorageOp.SetStopSign<>(null),
                new StorageOp.SetAcceptedRound<>(ballot(4, 1)),
                new StorageOp.SetDecidedIdx<>(7)));
        s = reopen(s);
        assertEquals(new State(8, 6, 7, Ballot.NONE, ballot(4, 1), entries("G", "H")), State.of(s));
        assertEquals(Optional.of("0..5"), s.getSnapshot());
        assertEquals(Optional.empty(), s.getStopSign());
    }

    @Test
    void aBatchWithSnapshotAndStopSignIsAllOrNothing() {
        s.appendEntries(entries("a", "b", "c", "d"));
        s.setSnapshot(1, "a");
        s.setStopSign(stopSign(2, 1, 2));
        // SetSnapshot, SetStopSign and the rest are valid; the AppendOnPrefix below the new snapshot is not.
        assertRejected("3", () -> s.writeAtomically(List.of(
                new StorageOp.SetSnapshot<>(6, "0..5"),
                new StorageOp.SetStopSign<>(stopSign(3, 4, 5)),
                new StorageOp.SetAcceptedRound<>(ballot(5, 5)),
                new StorageOp.SetDecidedIdx<>(6),
                new StorageOp.AppendOnPrefix<>(3, entries("x")))));
        assertRejected("9", () -> s.writeAtomically(List.of(
                new StorageOp.SetStopSign<>(null),
                new StorageOp.SetSnapshot<>(2, "ab"),
                new StorageOp.Trim<>(9))));
        assertRejected("0", () -> s.writeAtomically(List.of(
                new StorageOp.SetStopSign<>(null),
                new StorageOp.SetSnapshot<>(0, "nothing"))));
        s = reopen(s);
        assertEquals(new State(4, 1, 0, Ballot.NONE, Ballot.NONE, entries("b", "c", "d")), State.of(s));
        assertEquals(Optional.of("a"), s.getSnapshot());
        assertEquals(Optional.of(stopSign(2, 1, 2)), s.getStopSign());
    }

    @Test
    void laterOpsInABatchSeeTheEffectOfEarlierOnes() {
        s.writeAtomically(List.of(
                new StorageOp.AppendEntries<>(entries("a", "b", "c")),
                new StorageOp.Trim<>(3),
                new StorageOp.AppendOnPrefix<>(3, entries("d"))));
        assertEquals(new State(4, 3, 0, Ballot.NONE, Ballot.NONE, entries("d")), State.of(s));
    }

    // ---- reopen ----

    @Test
    void reopenKeepsEveryPieceOfState() {
        s.appendEntries(entries("a", "b", "c", "d"));
        s.setPromise(new Ballot(7, 2, 3));
        s.setAcceptedRound(new Ballot(6, 1, 4));
        s.setDecidedIdx(3);
        State before = State.of(s);
        s = reopen(s);
        assertEquals(before, State.of(s));
        s.appendEntry("e");
        s = reopen(s);
        assertEquals(entries("a", "b", "c", "d", "e"), s.getSuffix(0));
    }

    @Test
    void reopenOfAnEmptyStorage() {
        s = reopen(s);
        assertEquals(new State(0, 0, 0, Ballot.NONE, Ballot.NONE, List.of()), State.of(s));
    }

    @Test
    void reopenAfterSuffixOverwrites() {
        s.appendEntries(entries("a", "b", "c", "d", "e"));
        s.appendOnPrefix(2, entries("X"));
        s = reopen(s);
        assertEquals(entries("a", "b", "X"), s.getSuffix(0));
        s.appendOnPrefix(1, entries("P", "Q", "R"));
        s.appendEntry("S");
        s = reopen(s);
        assertEquals(entries("a", "P", "Q", "R", "S"), s.getSuffix(0));
        s.appendOnPrefix(5, entries("T"));
        s.appendOnPrefix(0, List.of());
        s = reopen(s);
        assertEquals(0, s.getLogLength());
        s.appendEntries(entries("n", "m"));
        s = reopen(s);
        assertEquals(entries("n", "m"), s.getSuffix(0));
    }

    @Test
    void reopenAfterTrimAndSetCompactedIdx() {
        s.appendEntries(entries("a", "b", "c", "d", "e"));
        s.trim(2);
        s = reopen(s);
        assertEquals(2, s.getCompactedIdx());
        assertEquals(entries("c", "d", "e"), s.getSuffix(2));
        assertRejected("1", () -> s.getEntries(1, 2));
        s.setCompactedIdx(4);
        s = reopen(s);
        assertEquals(4, s.getCompactedIdx());
        assertEquals(entries("e"), s.getSuffix(4));
        assertEquals(5, s.getLogLength());
    }

    @Test
    void reopenAfterWriteAtomically() {
        s.appendEntries(entries("a", "b", "c"));
        s.writeAtomically(List.of(
                new StorageOp.AppendOnPrefix<>(1, entries("X", "Y", "Z")),
                new StorageOp.SetAcceptedRound<>(ballot(4, 2)),
                new StorageOp.SetDecidedIdx<>(2)));
        State before = State.of(s);
        s = reopen(s);
        assertEquals(before, State.of(s));
        assertEquals(entries("a", "X", "Y", "Z"), s.getSuffix(0));
    }

    @Test
    void manyReopensInterleavedWithWrites() {
        List<String> expected = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add("r" + round + "-" + i);
            }
            int from = expected.size() / 2;
            s.appendOnPrefix(from, batch);
            expected = new ArrayList<>(expected.subList(0, from));
            expected.addAll(batch);
            s.setDecidedIdx(from);
            s = reopen(s);
            assertEquals(expected, s.getSuffix(0));
            assertEquals(from, s.getDecidedIdx());
        }
    }

    // ---- close ----

    @Test
    void aClosedStorageRefusesCalls() {
        s.appendEntry("a");
        s.close();
        assertThrows(StorageException.class, () -> s.getLogLength());
        assertThrows(StorageException.class, () -> s.appendEntry("b"));
        s.close(); // idempotent
        s = newStorage();
    }
}
