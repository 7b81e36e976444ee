/**
 * The HTTP API's answers: ret codes, data rendered byte for byte as gopush-cluster did, JSON or
 * JSONP, per-route metrics.
 */
package io.pushbase.web.reply;
