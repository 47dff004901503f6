package io.omnipaxos.examples.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code completion}: prints a bash (and zsh) completion script for the whole command tree, to be
 * sourced: {@code source <(java -jar omnipaxos-kv.jar completion)}.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Prints a bash/zsh completion script for this program's commands and options.",
                "Use: source <(java -jar omnipaxos-kv.jar completion), with an alias omnipaxos-kv for the java"
                        + " command, or save it in /etc/bash_completion.d/."})
public final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandSpec root = spec.root();
        System.out.print(AutoComplete.bash(root.name(), root.commandLine()));
        return ExitCodes.OK;
    }
}
