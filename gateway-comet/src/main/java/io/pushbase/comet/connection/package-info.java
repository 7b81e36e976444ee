/**
 * What every client connection is held to and how its endings are counted, for both protocols:
 * {@link io.pushbase.comet.connection.ConnectionSettings} (every limit and timeout, with the
 * defaults of gopush-cluster and docs/PROTOCOL.md section 3) and {@link
 * io.pushbase.comet.connection.ConnectionMetrics} (the {@code comet.<tcp|ws>.*} counters of every
 * refusal and every bound that was hit). The pipelines of {@code io.pushbase.comet.handler}, the
 * listeners of {@code io.pushbase.comet.server} and the stat servlet read them.
 */
package io.pushbase.comet.connection;
