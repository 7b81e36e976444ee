/**
 * Logging that every node shares: the key and mid of the message a log line is about, as SLF4J MDC
 * fields ({@link io.pushbase.cluster.logging.MessageLogContext}), and the {@code text} log layout
 * that the roles' YAML selects by default beside Dropwizard's {@code json} one ({@link
 * io.pushbase.cluster.logging.TextLayoutFactory}).
 */
package io.pushbase.cluster.logging;
