package io.pushbase.schema.client;

import java.util.List;

/**
 * (Pushbase) What every node accepts as a room name (issue 14: rooms, docs/PROTOCOL.md "Rooms"): 1
 * to {@value #MAX_BYTES} characters, each an ASCII letter or digit or one of {@code . _ - :}. One
 * rule, checked where a room enters the system (a comet's subscribe and {@code join}, the web
 * node's room push and pull, a message node's room log), so a room no node refuses is one every
 * node can route, store and deliver. A narrower bound on the length may be configured per node
 * ({@link #problem(String, int)}: a comet's {@code rooms.maxNameBytes}, a web node's {@code
 * api.maxRoomNameBytes}), never a wider one.
 *
 * <p>Why so narrow, when a key may be any UTF-8: a room name travels inside replies and commands
 * that are text lines ({@code +j <room>}, {@code join <room> <since>}), inside a list in one
 * argument of the TCP subscribe ({@code a,b@<since>}) and as a field of every room message's JSON
 * ({@code "room":"<room>"}); none of these characters needs escaping or quoting in any of them, and
 * none is a separator of theirs ({@code ,}, {@code @}, a space, CR, LF, {@code "}). Stateless and
 * thread-safe.
 */
public final class Rooms {
    /** Longest room name, in bytes (= characters: the rule admits ASCII only). */
    public static final int MAX_BYTES = 128;

    /**
     * (Issue 14, broadcast) The log of broadcasts ({@code POST /1/admin/push/all}): the room every
     * connection is in without joining. Outside the room rule on purpose ({@code *} is not a room
     * character), so no client can join, leave or push to it as a room; only {@link #isLog} accepts
     * it.
     */
    public static final String ALL = "*";

    private Rooms() {}

    /**
     * Whether a token's {@code rooms} claim names {@code room}: a room exactly, {@code prefix*}
     * every room starting with the prefix, {@code *} every room. The one rule of the comets' joins
     * and the web node's room pulls.
     */
    public static boolean claimNames(List<String> claim, String room) {
        for (String p : claim) {
            if (p.endsWith("*")
                    ? room.startsWith(p.substring(0, p.length() - 1))
                    : p.equals(room)) {
                return true;
            }
        }
        return false;
    }

    /** Why {@code room} is not a room name, or null when it is. */
    public static String problem(String room) {
        return problem(room, MAX_BYTES);
    }

    /**
     * Why {@code room} is not a room name of at most {@code maxBytes} characters (a node's own
     * bound, at most {@value #MAX_BYTES}), or null when it is.
     */
    public static String problem(String room, int maxBytes) {
        if (room == null || room.isEmpty()) {
            return "room must not be empty";
        }
        int max = Math.min(maxBytes, MAX_BYTES);
        if (room.length() > max) {
            return "room is " + room.length() + " characters, at most " + max + " allowed";
        }
        for (int i = 0; i < room.length(); i++) {
            if (!allowed(room.charAt(i))) {
                return "room has a character other than A-Z a-z 0-9 . _ - : at position " + (i + 1);
            }
        }
        return null;
    }

    /**
     * Why {@code name} is not the name of a room's log — a room name, or {@link #ALL} (the
     * broadcasts' log) — or null when it is: what the message nodes and the room pull accept.
     */
    public static String logProblem(String name) {
        return ALL.equals(name) ? null : problem(name);
    }

    /** Whether {@code name} names a room's log ({@link #logProblem} is null). */
    public static boolean isLog(String name) {
        return logProblem(name) == null;
    }

    /** Whether {@code c} may appear in a room name. */
    public static boolean allowed(char c) {
        return c >= 'a' && c <= 'z'
                || c >= 'A' && c <= 'Z'
                || c >= '0' && c <= '9'
                || c == '.'
                || c == '_'
                || c == '-'
                || c == ':';
    }
}
