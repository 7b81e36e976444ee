/**
 * Routing admin pushes and deletes to comets, and storing a push through a message node when its
 * comet cannot take it ({@link io.pushbase.web.push.PushRouter}). It reaches comets and message
 * nodes through small interfaces ({@code CometOwners}, {@code Comets}, {@link
 * io.pushbase.web.push.StoredMessages}, {@code MessageLog} under its {@code KeyAppender}), so its
 * every branch is tested against fakes of them. {@link io.pushbase.web.push.PushAdmission} bounds
 * the admin pushes in progress.
 */
package io.pushbase.web.push;
