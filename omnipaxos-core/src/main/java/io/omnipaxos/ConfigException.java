package io.omnipaxos;

/**
 * A configuration is invalid: a TOML file that does not parse, an unknown or mistyped key, or a
 * value out of range. The message names the file (if any), the key, the position (if known) and
 * the offending value.
 */
public class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that names the culprit. */
    public ConfigException(String message) {
        super(message);
    }

    /** Creates an exception with a message that names the culprit, and its cause. */
    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
