/**
 * The comet's listening side: {@link io.pushbase.comet.server.EventLoops} owns the boss and worker
 * event loops every listener shares (native epoll where it loads, else NIO), and each {@link
 * io.pushbase.comet.server.ClientServer} binds one port (TCP 6969, WebSocket 6968) and hands each
 * connection to its protocol's initializer from {@code io.pushbase.comet.handler}, behind TLS when
 * configured. Both are Dropwizard {@code Managed} objects: start the loops, then the servers; stop
 * in reverse.
 *
 * <p>{@link io.pushbase.comet.server.CometServersConfiguration} is the YAML for all of it, with
 * {@link io.pushbase.comet.server.TlsConfiguration} per listener, and builds every object here.
 */
package io.pushbase.comet.server;
