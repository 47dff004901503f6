package io.omnipaxos.examples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import org.slf4j.LoggerFactory;

/**
 * Sends each OmniPaxos server's log (logger {@code io.omnipaxos.server.<pid>}) to the file named by
 * its {@code logger_file_path}, through Logback.
 */
public final class ServerLogFiles {

    private ServerLogFiles() {}

    /** Routes server {@code pid}'s log to {@code path} (created with its folders), at INFO and above. */
    public static void route(long pid, String path) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("server-" + pid);
        appender.setFile(path);
        appender.setAppend(false);
        appender.setEncoder(encoder);
        appender.start();
        Logger logger = context.getLogger("io.omnipaxos.server." + pid);
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(appender);
    }
}
