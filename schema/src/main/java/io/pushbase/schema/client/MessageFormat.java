package io.pushbase.schema.client;

/**
 * Which message JSON a subscriber gets, chosen once per connection by the client's {@code sub}
 * request: a client that sends a version gets {@link #NEW}, a client that sends none (or an empty
 * one) gets {@link #OLD}, which is what the first gopush-cluster clients parse.
 *
 * <p>(Pushbase) The one version value {@value #EXACT_VERSION} selects {@link #EXACT} instead: the
 * new format with the mid as a decimal string, so that JavaScript, whose numbers are doubles, reads
 * it exactly (every mid is above 2^53). The value is reserved rather than a new argument because
 * the version already selects the format on every transport (TCP's fifth argument, the WebSocket
 * and Server-Sent Events {@code ver=}) and the offline pull takes it the same way; a gopush-cluster
 * client sends its own application version there, never a value named after this project, so no
 * existing client can select it by accident (docs/PROTOCOL.md, "Message JSON").
 */
public enum MessageFormat {
    /** {@code {"msg":"<payload as a JSON string>","mid":N,"gid":0}}. */
    OLD,
    /** {@code {"msg":<payload as raw JSON>,"mid":N,"gid":0}}. */
    NEW,
    /** (Pushbase) {@code {"msg":<payload as raw JSON>,"mid":"N","gid":0}}: the mid as a string. */
    EXACT;

    /** (Pushbase) The version value that selects {@link #EXACT}, compared exactly. */
    public static final String EXACT_VERSION = "pushbase.1";

    /**
     * The format for a client's version argument: empty or absent (null) selects {@link #OLD},
     * exactly {@value #EXACT_VERSION} selects {@link #EXACT}, anything else {@link #NEW}.
     */
    public static MessageFormat forVersion(String version) {
        if (version == null || version.isEmpty()) {
            return OLD;
        }
        return version.equals(EXACT_VERSION) ? EXACT : NEW;
    }

    /** Whether the payload goes out as raw JSON ({@link #NEW}, {@link #EXACT}). */
    public boolean rawPayload() {
        return this != OLD;
    }
}
