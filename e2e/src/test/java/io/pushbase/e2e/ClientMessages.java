package io.pushbase.e2e;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages as a client sees them (docs/PROTOCOL.md sections 1 and 3), taken apart without
 * re-serialising the payload, so that "payload intact" means byte for byte: the new format {@code
 * {"msg":<payload>,"mid":N,"gid":0}} (TCP with a version, WebSocket), the old format {@code
 * {"msg":"<payload as a string>","mid":N,"gid":0}} (TCP without a version) and an offline pull's
 * answer {@code {"data":{"msgs":[...]},"ret":0}}.
 */
final class ClientMessages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final String NEW_PREFIX = "{\"msg\":";
    private static final String NEW_SUFFIX = ",\"gid\":0}";
    private static final String MID = ",\"mid\":";

    private ClientMessages() {}

    /** One message: its mid and its payload exactly as the client got it. */
    record Message(long mid, String payload) {}

    /** Thrown for a message or an answer that breaks the protocol. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    /** A new-format message; the payload is the raw JSON between {@code "msg":} and the mid. */
    static Message parseNew(String text) throws ProtocolException {
        int mid = text.lastIndexOf(MID);
        if (!text.startsWith(NEW_PREFIX) || !text.endsWith(NEW_SUFFIX) || mid < 0) {
            throw new ProtocolException("not a new-format message: " + abbreviate(text));
        }
        try {
            return new Message(
                    Long.parseLong(text.substring(mid + MID.length(), text.length() - 9)),
                    text.substring(NEW_PREFIX.length(), mid));
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad mid in " + abbreviate(text));
        }
    }

    /** An old-format message; the payload is the decoded string. */
    static Message parseOld(String text) throws ProtocolException {
        try {
            JsonNode node = JSON.readTree(text);
            if (!node.path("msg").isTextual()
                    || !node.path("mid").isIntegralNumber()
                    || node.path("gid").asInt(-1) != 0
                    || node.size() != 3) {
                throw new ProtocolException("not an old-format message: " + abbreviate(text));
            }
            return new Message(node.get("mid").asLong(), node.get("msg").asText());
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw new ProtocolException("not JSON: " + abbreviate(text));
        }
    }

    /**
     * The messages of a {@code /1/msg/get} answer, in the order given, each payload the raw text of
     * its {@code msg} value; {@code {"ret":0}} is no message. A non-zero {@code ret} throws.
     */
    static List<Message> parsePull(String body) throws ProtocolException {
        List<Message> messages = new ArrayList<>();
        Integer ret = null;
        try (JsonParser p = FACTORY.createParser(body)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, body);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("ret")) {
                    ret = p.getIntValue();
                } else if (field.equals("data") && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        expect(p.currentName().equals("msgs"), body);
                        expect(p.nextToken() == JsonToken.START_ARRAY, body);
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            messages.add(message(p, body));
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException("bad pull answer (" + e + "): " + abbreviate(body));
        }
        if (ret == null || ret != 0) {
            throw new ProtocolException("pull answered " + abbreviate(body));
        }
        return messages;
    }

    private static Message message(JsonParser p, String body) throws IOException {
        String payload = null;
        Long mid = null;
        Integer gid = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "msg" -> {
                    int start = (int) p.currentTokenLocation().getCharOffset();
                    p.skipChildren();
                    int end =
                            value.isStructStart()
                                    ? (int) p.currentTokenLocation().getCharOffset() + 1
                                    : (int) p.currentLocation().getCharOffset();
                    payload = body.substring(start, end);
                }
                case "mid" -> mid = p.getLongValue();
                case "gid" -> gid = p.getIntValue();
                default -> throw new ProtocolException("unknown field " + field + " in " + body);
            }
        }
        expect(payload != null && mid != null && gid != null && gid == 0, body);
        return new Message(mid, payload);
    }

    private static void expect(boolean condition, String body) throws ProtocolException {
        if (!condition) {
            throw new ProtocolException("unexpected pull answer: " + abbreviate(body));
        }
    }

    static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
