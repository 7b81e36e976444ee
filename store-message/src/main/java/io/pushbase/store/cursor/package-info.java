/**
 * Device cursors (Pushbase, acknowledgements): per (key, device) the largest mid the device
 * acknowledged, behind {@link io.pushbase.store.cursor.CursorStore} with an HBase and an in-memory
 * implementation (docs/STORE.md, "Device cursors").
 */
package io.pushbase.store.cursor;
