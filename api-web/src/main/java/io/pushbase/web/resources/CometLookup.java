package io.pushbase.web.resources;

import io.pushbase.schema.client.Keys;
import io.pushbase.web.comet.CometDirectory;
import io.pushbase.web.comet.CometDirectory.CometNode;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import io.pushbase.web.reply.Ret;
import java.util.List;
import java.util.Optional;

/**
 * Node lookup (docs/PROTOCOL.md section 1): which comet address a client of key {@code k} connects
 * to, from the shared ring over live comets ({@link CometDirectory}, memory only). {@code
 * /1/server/get} answers {@code {"server":"host:port"}}, {@code /2/server/get} {@code
 * {"server":["host:port",...]}} (every address of the protocol), {@code /server/get} the first as
 * {@code /1/} does.
 *
 * <p>Checks in gopush-cluster's order: an empty (or over-long) key is {@code 65534}; no live comet
 * is {@code 1001}; then a protocol other than {@code 1} (WebSocket) or {@code 2} (TCP) is {@code
 * 65534}.
 *
 * <p>Served by {@link ClientRoutes}. Thread-safe (the directory is); answers at once, from memory.
 */
final class CometLookup {
    private final CometDirectory directory;

    CometLookup(CometDirectory directory) {
        this.directory = directory;
    }

    /**
     * @param all every address of the protocol ({@code /2/server/get}), else the first
     */
    Answer lookup(String key, String proto, boolean all) {
        String keyProblem = Keys.problem(key);
        if (keyProblem != null) {
            return Answer.error(Ret.PARAM, keyProblem);
        }
        Optional<CometNode> owner = directory.ownerOf(key);
        if (owner.isEmpty()) {
            return Answer.error(Ret.NO_COMET, "no comet node is live");
        }
        String protocol;
        if ("1".equals(proto)) {
            protocol = "ws";
        } else if ("2".equals(proto)) {
            protocol = "tcp";
        } else {
            return Answer.error(
                    Ret.PARAM, "protocol must be 1 (WebSocket) or 2 (TCP), got '" + proto + "'");
        }
        Optional<String> address = owner.get().address(protocol);
        if (address.isEmpty()) {
            return Answer.error(
                    Ret.NO_COMET,
                    "comet " + owner.get().nodeName() + " registered no " + protocol + " address");
        }
        return Answer.ok(all ? Data.servers(List.of(address.get())) : Data.server(address.get()));
    }
}
