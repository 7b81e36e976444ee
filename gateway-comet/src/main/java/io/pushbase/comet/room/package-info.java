/**
 * (Pushbase, issue 14) Rooms on a comet: which connections are in which rooms ({@link
 * io.pushbase.comet.room.RoomIndex}, {@link io.pushbase.comet.room.ConnectionRooms}: joins and
 * leaves with their bounds and the token's claim), and the fan-out that writes one room message to
 * every member from one shared frame per transport and message format ({@link
 * io.pushbase.comet.room.RoomFanout}). Depends on {@code subscription}, {@code replay}, {@code
 * codec} and {@code message}; the handlers and the push pipeline depend on it. docs/ROOMS.md.
 */
package io.pushbase.comet.room;
