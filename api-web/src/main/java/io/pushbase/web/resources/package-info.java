/**
 * Jersey resources of the external API (GET, JSONP) and the admin API (POST), and the filters in
 * front of them.
 */
package io.pushbase.web.resources;
