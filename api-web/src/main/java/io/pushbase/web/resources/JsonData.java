package io.pushbase.web.resources;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Ret;

/**
 * The answer of an admin view route: {@code ret 0} with a report rendered by Jackson as its {@code
 * data}, or {@code ret 65535} when it cannot be rendered. Stateless and thread-safe.
 */
final class JsonData {
    private JsonData() {}

    static Answer answer(ObjectMapper json, Object data) {
        try {
            return Answer.ok(json.writeValueAsBytes(data));
        } catch (JsonProcessingException e) {
            return Answer.error(Ret.INTERNAL, e.toString());
        }
    }
}
