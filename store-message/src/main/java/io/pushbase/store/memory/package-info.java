/** An in-memory {@link io.pushbase.store.MessageStore} for tests and development: not durable. */
package io.pushbase.store.memory;
