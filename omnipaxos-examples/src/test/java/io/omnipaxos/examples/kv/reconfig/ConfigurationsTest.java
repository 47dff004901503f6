package io.omnipaxos.examples.kv.reconfig;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.omnipaxos.ClusterConfig;
import io.omnipaxos.OmniPaxosConfig;
import io.omnipaxos.StopSign;
import io.omnipaxos.codec.MessageCodec;
import io.omnipaxos.examples.kv.FreePorts;
import io.omnipaxos.examples.kv.net.EventLoops;
import io.omnipaxos.examples.kv.net.KvLogging;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import io.omnipaxos.examples.kv.peer.Incarnations;
import io.omnipaxos.examples.kv.peer.LinkFaults;
import io.omnipaxos.examples.kv.peer.ReplicaNode;
import io.omnipaxos.examples.kv.state.KvEntry;
import io.omnipaxos.examples.kv.state.KvEntryCodec;
import io.omnipaxos.examples.kv.state.KvSnapshots;
import io.omnipaxos.examples.kv.state.KvStateMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One node's {@link Configurations} in this JVM (memory storage, node 2 of its cluster never
 * started), driven through a stop-sign: a Throwable on its worker thread reaches the fatal handler
 * (it never dies silently with the node stuck between configurations), and a decided stop-sign
 * that cannot be followed is reported as an error and kept as the answer to every request.
 */
class ConfigurationsTest {

    @TempDir
    Path dir;

    private final EventLoopGroup group = EventLoops.singleThread();
    private final EventLoop loop = group.next();
    private final CompletableFuture<Throwable> fatal = new CompletableFuture<>();
    private final AtomicInteger starts = new AtomicInteger();
    private Configurations configurations;

    @BeforeEach
    void start() throws Exception {
        Path toml = Files.writeString(dir.resolve("node1.toml"), "configuration_id = 1\npid = 1\npeers = [2]\n\n"
                + "[network]\nnodes = [\n  { pid = 1, host = \"127.0.0.1\", peer_port = " + freePort()
                + ", client_port = " + freePort() + " },\n  { pid = 2, host = \"127.0.0.1\", peer_port = " + freePort()
                + ", client_port = " + freePort() + " },\n]\ndata_dir = \"unused\"\n");
        OmniPaxosConfig config = OmniPaxosConfig.withToml(toml, Set.of(NetworkConfig.TABLE));
        Configurations.Events events = new Configurations.Events() {
            @Override
            public void onConfigurationStarting(boolean stateKept) {
                if (starts.incrementAndGet() == 2) {
                    throw new AssertionError("boom while starting configuration 2");
                }
            }

            @Override
            public void onConfigurationEnded(int endedConfigId, StopSign stopSign) {}

            @Override
            public void onDecided(KvEntry entry) {}

            @Override
            public void onFatal(Throwable failure) {
                fatal.complete(failure);
            }
        };
        configurations = new Configurations(config, NetworkConfig.load(toml), true, null, Incarnations.inMemory(1),
                new LinkFaults(), loop, new KvSnapshots(), new MessageCodec<>(KvEntryCodec.INSTANCE,
                ReplicaNode.PEER_LIMITS), events);
        configurations.start();
    }

    @AfterEach
    void stop() throws Exception {
        configurations.close();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    }

    @Test
    void anErrorOnTheWorkerThreadReachesTheFatalHandler() throws Exception {
        String next = "id=2;nodes=1@127.0.0.1:" + freePort() + ":" + freePort() + ",3@127.0.0.1:" + freePort() + ":"
                + freePort();
        StopSign stopSign = ReconfigureRequest.parse(next).stopSign();
        loop.submit(() -> configurations.onStopSign(stopSign, new KvStateMachine()::encode)).sync();
        Throwable failure = fatal.get(20, TimeUnit.SECONDS);
        assertTrue(failure instanceof AssertionError && failure.getMessage().contains("boom"), failure.toString());
    }

    @Test
    void theFinalStateIsEncodedOffTheEventLoop() throws Exception {
        String next = "id=2;nodes=1@127.0.0.1:" + freePort() + ":" + freePort() + ",3@127.0.0.1:" + freePort() + ":"
                + freePort();
        StopSign stopSign = ReconfigureRequest.parse(next).stopSign();
        CompletableFuture<Boolean> encodedOnLoop = new CompletableFuture<>();
        loop.submit(() -> configurations.onStopSign(stopSign, () -> {
            encodedOnLoop.complete(loop.inEventLoop());
            return new KvStateMachine().encode();
        })).sync();
        assertFalse(encodedOnLoop.get(20, TimeUnit.SECONDS), "the final state was encoded on the event loop");
    }

    @Test
    void aDecidedStopSignThatCannotBeFollowedIsAnErrorAndTheAnswerFromThenOn() throws Exception {
        Logger events = (Logger) LoggerFactory.getLogger(KvLogging.EVENTS);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        events.addAppender(logged);
        try {
            StopSign undecodable = new StopSign(new ClusterConfig(2, List.of(1L, 3L)), new byte[] {0, 0, 0, 1, 7});
            loop.submit(() -> configurations.onStopSign(undecodable, new KvStateMachine()::encode)).sync();
            Optional<String> reason = loop.submit(configurations::unfollowableEnd).get(5, TimeUnit.SECONDS);
            assertTrue(reason.isPresent() && reason.get().contains("configuration 1 ended with a stop-sign")
                    && reason.get().contains("node addresses end early"), reason.toString());
            assertTrue(logged.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                    && e.getFormattedMessage().contains("node addresses end early")), logged.list.toString());
        } finally {
            events.detachAppender(logged);
        }
    }

    private static int freePort() throws IOException {
        return FreePorts.takeOne();
    }
}
