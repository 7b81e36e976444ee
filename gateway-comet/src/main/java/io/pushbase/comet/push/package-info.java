/**
 * The comet's push pipeline: per key, one push at a time, propose a time-like mid, have a message
 * node append it (the store enforces the order, see docs/MIDS.md), then write it to the key's live
 * connections. Different keys proceed in parallel.
 */
package io.pushbase.comet.push;
