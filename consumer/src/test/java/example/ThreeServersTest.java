package example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.omnipaxos.OmniPaxos;
import io.omnipaxos.storage.memory.MemoryStorage;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreeServersTest {

    @Test
    void anEntryAppendedOnAFollowerOrLeaderIsDecidedOnAllThree() {
        Map<Long, List<String>> decided = new ThreeServers().decide(2, "hello");
        assertEquals(Map.of(1L, List.of("hello"), 2L, List.of("hello"), 3L, List.of("hello")), decided);
    }

    @Test
    void theLibraryJarsCarryTheirModuleNames() throws URISyntaxException {
        assertEquals("io.omnipaxos.core", moduleNameOfJarHolding(OmniPaxos.class));
        assertEquals("io.omnipaxos.storage", moduleNameOfJarHolding(MemoryStorage.class));
    }

    private static String moduleNameOfJarHolding(Class<?> type) throws URISyntaxException {
        Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleReference module = ModuleFinder.of(jar).findAll().iterator().next();
        return module.descriptor().name();
    }
}
