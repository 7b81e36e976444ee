/**
 * The web node's HTTP listeners: Dropwizard's {@code http} connector with the bounds that keep slow
 * and silent clients from starving the node (a deadline on each request's headers, a cap on
 * connections per listener, counted) — {@link io.pushbase.web.server.GuardedHttpConnectorFactory}.
 */
package io.pushbase.web.server;
