package io.omnipaxos.examples.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import io.omnipaxos.examples.kv.state.KvOp;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The client port's admission of connections on embedded channels: the listener's pipeline gets
 * each accepted connection as a message, as Netty's acceptor would.
 */
class ClientConnectionsTest {

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(ClientConnections.class);
    private ClientConnections connections;
    private EmbeddedChannel listener;

    @BeforeEach
    void captureLog() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        log.detachAppender(logged);
    }

    private void listen(int maxConnections) {
        connections = new ClientConnections(maxConnections);
        listener = new EmbeddedChannel(connections);
        listener.freezeTime();
    }

    /** A connection from {@code address} arrives at the listener; returns it (open if admitted). */
    private EmbeddedChannel accept(String address) {
        EmbeddedChannel connection = new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(address, 40_000);
            }
        };
        listener.writeInbound(connection);
        if (connection.isOpen()) {
            assertSame(connection, listener.readInbound(), "an admitted connection goes on to the acceptor");
        }
        return connection;
    }

    @Test
    void aConnectionOverTheLimitIsClosedOnAcceptAndAClosedOneFreesItsSlot() {
        listen(2);
        EmbeddedChannel first = accept("192.0.2.1");
        EmbeddedChannel second = accept("192.0.2.2");
        EmbeddedChannel third = accept("192.0.2.3");
        assertTrue(first.isOpen() && second.isOpen());
        assertFalse(third.isOpen(), "over the limit");
        assertTrue(listener.inboundMessages().isEmpty(), "a refused connection never reaches the acceptor");
        assertEquals(2, connections.openConnections());
        assertEquals(1, connections.refusedConnections());
        first.close();
        assertEquals(1, connections.openConnections());
        assertTrue(accept("192.0.2.4").isOpen(), "a slot freed by a closed connection is taken again");
        assertFalse(accept("192.0.2.5").isOpen());
        assertEquals(2, connections.refusedConnections());
    }

    @Test
    void loopbackFindsReservedSlotsThatOnlyAdminister() {
        listen(1);
        EmbeddedChannel client = accept("192.0.2.1");
        assertFalse(accept("192.0.2.2").isOpen(), "no reserved slot for another host");
        EmbeddedChannel[] operators = new EmbeddedChannel[ClientConnections.RESERVED_ADMIN_CONNECTIONS];
        for (int i = 0; i < operators.length; i++) {
            operators[i] = accept("127.0.0.1");
            assertTrue(operators[i].isOpen(), "reserved slot " + i);
        }
        assertFalse(accept("127.0.0.1").isOpen(), "the reserved slots are taken too");
        assertEquals(1 + ClientConnections.RESERVED_ADMIN_CONNECTIONS, connections.openConnections());
        assertTrue(connections.admits(client, KvOp.GET), "an ordinary slot serves everything");
        assertTrue(connections.admits(operators[0], KvOp.REGISTER), "KvClient registers before it reconfigures");
        assertTrue(connections.admits(operators[0], KvOp.RECONFIGURE));
        assertTrue(connections.admits(operators[1], KvOp.FETCH_STATE));
        assertFalse(connections.admits(operators[2], KvOp.PUT), "a reserved slot is no way around the limit");
        assertFalse(operators[2].isOpen());
        assertEquals(3, connections.refusedConnections());
        assertTrue(accept("127.0.0.1").isOpen(), "the reserved slot it held is free again");
    }

    @Test
    void aFloodOfRefusalsIsLoggedOnceAndThenSummedUp() {
        listen(1);
        accept("192.0.2.1");
        for (int i = 0; i < 500; i++) {
            accept("192.0.2.2");
        }
        assertEquals(500, connections.refusedConnections());
        assertEquals(1, warnings().size(), "one line at the first refusal: " + warnings());
        listener.advanceTimeBy(ClientConnections.REFUSAL_LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);
        listener.runScheduledPendingTasks();
        assertEquals(2, warnings().size());
        assertTrue(warnings().get(1).contains("closed 499 more client connections"), warnings().get(1));
        listener.advanceTimeBy(ClientConnections.REFUSAL_LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);
        listener.runScheduledPendingTasks(); // a quiet interval: nothing to sum up, and the next refusal is logged
        accept("192.0.2.3");
        assertEquals(3, warnings().size());
        assertTrue(warnings().get(2).contains("/192.0.2.3:40000") && warnings().get(2).contains(
                "network.max_client_connections"), warnings().get(2));
    }

    private List<String> warnings() {
        return logged.list.stream().filter(event -> event.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
