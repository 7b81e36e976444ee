/**
 * Subscriber tokens: JWTs whose {@code sub} is the key and whose {@code exp} is honoured. Web nodes
 * issue them ({@link io.pushbase.cluster.token.TokenIssuer}), comets and web nodes check them
 * ({@link io.pushbase.cluster.token.TokenVerifier}); the crypto is java-jwt's.
 */
package io.pushbase.cluster.token;
