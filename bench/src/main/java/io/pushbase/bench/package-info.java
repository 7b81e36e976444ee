/** Benchmarks a person runs by hand, never part of the test suite ({@code bench/run-*}). */
package io.pushbase.bench;
