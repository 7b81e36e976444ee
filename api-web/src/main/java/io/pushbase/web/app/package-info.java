/** The web node's Dropwizard application, its configuration and its discovery registration. */
package io.pushbase.web.app;
