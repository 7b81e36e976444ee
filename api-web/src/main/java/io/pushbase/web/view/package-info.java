/**
 * The cluster view on the admin port: comets with their roles and connections, message nodes, web
 * nodes.
 */
package io.pushbase.web.view;
