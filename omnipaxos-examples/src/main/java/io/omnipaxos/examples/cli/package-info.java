/**
 * What every command-line program of the examples shares: picocli set up the same way ({@link
 * io.omnipaxos.examples.cli.CommandLines}), the documented exit codes ({@link
 * io.omnipaxos.examples.cli.ExitCodes}), a progress line for terminals ({@link
 * io.omnipaxos.examples.cli.Progress}) and the JVM settings of the runnable jar ({@link
 * io.omnipaxos.examples.cli.JvmSettings}). Depends on nothing else of the examples.
 */
package io.omnipaxos.examples.cli;
