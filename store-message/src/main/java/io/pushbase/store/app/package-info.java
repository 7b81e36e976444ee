/** The message node as a Dropwizard application: configuration and wiring only. */
package io.pushbase.store.app;
