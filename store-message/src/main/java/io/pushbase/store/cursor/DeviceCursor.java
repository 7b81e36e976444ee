package io.pushbase.store.cursor;

/**
 * One device's cursor of a key.
 *
 * @param device the device id
 * @param mid the largest mid the device acknowledged
 * @param ackedAtMillis when the cursor was last written (the store's clock, epoch ms)
 */
public record DeviceCursor(String device, long mid, long ackedAtMillis) {}
