/**
 * Routing admin pushes and deletes to comets, and storing a push through a message node when its
 * comet cannot take it.
 */
package io.pushbase.web.push;
