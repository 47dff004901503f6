package io.omnipaxos;

import java.nio.file.Path;
import java.util.Set;

/** Reads an {@link OmniPaxosConfig} from a TOML file (being written). */
final class TomlConfigLoader {

    private TomlConfigLoader() {}

    static OmniPaxosConfig load(Path file, Set<String> applicationTables) {
        throw new ConfigException("TOML loading is not implemented yet: " + file);
    }
}
