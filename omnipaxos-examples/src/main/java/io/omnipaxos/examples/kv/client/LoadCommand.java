package io.omnipaxos.examples.kv.client;

import io.omnipaxos.examples.cli.ExitCodes;
import io.omnipaxos.examples.kv.net.NetworkConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code client load}: the benchmark load of {@link LoadGenerator}, with its options. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Benchmark load: CLIENTS clients, each keeping PIPELINE requests in flight, PUT (and GET)"
                + " values on random keys; prints ops/s, latency percentiles and memory.",
                "Shows its progress when run on a terminal."})
final class LoadCommand implements Callable<Integer> {

    @ParentCommand
    KvCli parent;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "10",
            description = "Measured seconds (default ${DEFAULT-VALUE}).")
    long seconds;

    @Option(names = "--warmup-seconds", paramLabel = "N", defaultValue = "2",
            description = "Seconds of load before measuring (default ${DEFAULT-VALUE}).")
    long warmupSeconds;

    @Option(names = "--clients", paramLabel = "C", defaultValue = "4",
            description = "Clients, each with its own connection (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--pipeline", paramLabel = "P", defaultValue = "16",
            description = "Requests in flight per client (default ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(names = "--value-bytes", paramLabel = "B", defaultValue = "16",
            description = "Bytes per value (default ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--get-percent", paramLabel = "G", defaultValue = "0",
            description = "Percentage of GETs, 0 to 100 (default ${DEFAULT-VALUE}).")
    int getPercent;

    @Option(names = "--spread", description = "Client i talks to the i-th node only, not to the leader: with"
            + " follower_reads on the nodes, followers serve GETs (for read loads; a write still ends at the leader).")
    boolean spread;

    @Override
    public Integer call() throws InterruptedException {
        NetworkConfig network = parent.network();
        LoadGenerator load;
        try {
            load = new LoadGenerator(network.nodes(), KvCli.tls(network), clients, pipeline, valueBytes, getPercent,
                    spread);
        } catch (IllegalArgumentException e) {
            System.err.println("kv load: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        load.run(warmupSeconds, seconds);
        return ExitCodes.OK;
    }
}
