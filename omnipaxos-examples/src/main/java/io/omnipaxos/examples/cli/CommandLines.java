package io.omnipaxos.examples.cli;

import io.omnipaxos.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Builds every picocli {@link CommandLine} of the examples the same way: whole numbers may hold
 * {@code _}; a bad command line prints what is wrong (naming the option or argument and its value)
 * and where to find help, and exits with {@link ExitCodes#USAGE}; a bad configuration file ({@link
 * ConfigException}, whose message names the file, key and value) exits with {@link
 * ExitCodes#USAGE} too, without a stack trace.
 */
public final class CommandLines {

    private CommandLines() {}

    /** A command line for {@code command} (an object with picocli annotations). */
    public static CommandLine create(Object command) {
        CommandLine line = new CommandLine(command);
        line.registerConverter(Long.class, WholeNumbers.LONGS);
        line.registerConverter(long.class, WholeNumbers.LONGS);
        line.registerConverter(Integer.class, WholeNumbers.INTS);
        line.registerConverter(int.class, WholeNumbers.INTS);
        line.setParameterExceptionHandler(CommandLines::onBadCommandLine);
        line.setExecutionExceptionHandler(CommandLines::onFailure);
        return line;
    }

    /** Runs {@code command} on {@code args} and returns its exit code (see {@link ExitCodes}). */
    public static int execute(Object command, String... args) {
        return create(command).execute(args);
    }

    /**
     * Parses {@code args} into {@code options} for a program that is not a {@link Runnable} (the
     * benchmarks): prints the help and exits with 0 on {@code --help}, and exits with {@link
     * ExitCodes#USAGE} on a bad command line.
     *
     * @return {@code options}, filled in
     */
    public static <T> T parseOrExit(T options, String... args) {
        CommandLine line = create(options);
        try {
            ParseResult parsed = line.parseArgs(args);
            if (CommandLine.printHelpIfRequested(parsed)) {
                System.exit(ExitCodes.OK);
            }
        } catch (ParameterException e) {
            System.exit(onBadCommandLine(e, args));
        }
        return options;
    }

    private static int onBadCommandLine(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    private static int onFailure(Exception e, CommandLine command, ParseResult parsed) throws Exception {
        if (!(e instanceof ConfigException)) {
            throw e; // a bug or an unexpected failure: picocli prints the stack trace
        }
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        err.flush();
        return ExitCodes.USAGE;
    }
}
