/**
 * gopush-cluster's comet stat port, served on the Dropwizard admin port: {@link
 * io.pushbase.comet.stat.StatServlet} answers {@code /stat?type=server|connection|channel} from the
 * comet's metrics and its live channels.
 */
package io.pushbase.comet.stat;
