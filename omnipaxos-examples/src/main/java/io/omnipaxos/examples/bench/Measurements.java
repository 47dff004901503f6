package io.omnipaxos.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory figures every benchmark prints: peak heap used and the process's resident set. */
public final class Measurements {

    private Measurements() {}

    /** Peak heap used since the JVM started, in MiB (sum of the heap pools' peaks). */
    public static long peakHeapUsedMib() {
        long bytes = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                bytes += pool.getPeakUsage().getUsed();
            }
        }
        return bytes >> 20;
    }

    /** Current and peak resident set size of this process in MiB, from /proc (Linux), or "n/a". */
    public static String rss() {
        try {
            String current = "n/a";
            String peak = "n/a";
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    current = kibToMib(line);
                } else if (line.startsWith("VmHWM:")) {
                    peak = kibToMib(line);
                }
            }
            return "RSS " + current + " MiB (peak " + peak + " MiB)";
        } catch (IOException | RuntimeException e) {
            return "RSS n/a";
        }
    }

    /** One line with both memory figures. */
    public static String memoryLine() {
        return "memory: peak heap used " + peakHeapUsedMib() + " MiB, " + rss();
    }

    private static String kibToMib(String line) {
        String kib = line.replaceAll("[^0-9]", "");
        return Long.toString(Long.parseLong(kib) / 1024);
    }
}
