package io.omnipaxos.examples.cli;

import java.net.URISyntaxException;
import java.security.CodeSource;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The system properties the key-value programs need, set by the runnable jar's {@code main} before
 * any Chronicle Queue class loads, so that users never type them: Chronicle's analytics and
 * announcer off, JNA's native library unpacked in a folder of ours instead of the home folder, and
 * the client's log file out of the working directory. A value given with {@code -D} wins. (The
 * module access Chronicle needs comes from the jar's {@code Add-Opens} and {@code Add-Exports}
 * manifest attributes, which {@code java -jar} applies.)
 */
public final class JvmSettings {

    /** The system property naming the key-value programs' log file (see logback.xml). */
    static final String LOG_FILE_PROPERTY = "kv.log.file";

    private JvmSettings() {}

    /** Sets every property above that is not set yet. */
    public static void apply() {
        setIfAbsent("chronicle.analytics.disable", "true");
        setIfAbsent("chronicle.announcer.disable", "true");
        setIfAbsent("jna.tmpdir", programFolder().resolve("jna-tmp").toString());
        setIfAbsent(LOG_FILE_PROPERTY, Path.of(System.getProperty("java.io.tmpdir"),
                "omnipaxos-kv-" + System.getProperty("user.name", "user") + ".log").toString());
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /**
     * The folder holding the jar (or the classes folder) this class came from, if writable;
     * otherwise a folder of this user under the temporary folder.
     */
    static Path programFolder() {
        CodeSource code = JvmSettings.class.getProtectionDomain().getCodeSource();
        try {
            Path folder = code == null ? null : Path.of(code.getLocation().toURI()).toAbsolutePath().getParent();
            if (folder != null && Files.isWritable(folder)) {
                return folder;
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a file (an unusual class loader): fall through to the temporary folder
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "omnipaxos-kv-" + System.getProperty("user.name", "user"))
                .toAbsolutePath();
    }
}
