/** The comet node as a Dropwizard application: configuration and wiring only. */
package io.pushbase.comet.app;
