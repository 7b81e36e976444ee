package io.pushbase.schema.client;

/**
 * Which message JSON a subscriber gets, chosen once per connection by the client's {@code sub}
 * request: a client that sends a version gets {@link #NEW}, a client that sends none (or an empty
 * one) gets {@link #OLD}, which is what the first gopush-cluster clients parse.
 */
public enum MessageFormat {
    /** {@code {"msg":"<payload as a JSON string>","mid":N,"gid":0}}. */
    OLD,
    /** {@code {"msg":<payload as raw JSON>,"mid":N,"gid":0}}. */
    NEW;

    /** The format for a client's version argument: empty or absent (null) selects {@link #OLD}. */
    public static MessageFormat forVersion(String version) {
        return version == null || version.isEmpty() ? OLD : NEW;
    }
}
