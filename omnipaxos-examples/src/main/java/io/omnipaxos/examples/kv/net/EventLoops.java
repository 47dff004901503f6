package io.omnipaxos.examples.kv.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

/** The Netty event loops of nodes, clients and benchmarks: NIO, one thread each. */
public final class EventLoops {

    private EventLoops() {}

    /** A group of one NIO event loop thread (for NIO channels); shut it down when done. */
    public static EventLoopGroup singleThread() {
        return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }
}
