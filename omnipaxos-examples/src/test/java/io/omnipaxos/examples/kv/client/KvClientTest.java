package io.omnipaxos.examples.kv.client;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.omnipaxos.examples.kv.net.NodeAddress;
import io.omnipaxos.examples.kv.state.KvCommand;
import io.omnipaxos.examples.kv.state.KvOp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client refuses a request it could not encode at once, instead of retrying it until its deadline. */
class KvClientTest {

    @Test
    void aRequestThatCannotBeEncodedFailsAtOnceNamingTheField() {
        Map<Long, NodeAddress> nowhere = Map.of(1L, new NodeAddress(1, "127.0.0.1", 1, 1));
        try (KvClient client = new KvClient(nowhere, null, null, Duration.ofMillis(200), Duration.ofSeconds(30))) {
            String key = "k".repeat(KvCommand.MAX_KEY_BYTES + 1);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.submit(KvOp.PUT, key, "v").get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof KvException && e.getCause().getMessage().contains("key is 1025"),
                    e.getCause().toString());
        }
    }
}
