package io.pushbase.cluster.token;

/** The outcome of checking a subscriber token; everything but {@link #VALID} refuses it. */
public enum TokenCheck {
    VALID,
    /** No token given. */
    MISSING,
    /** Not a JWT, a bad signature, an algorithm not configured, or no {@code exp}. */
    INVALID,
    /** Signed correctly but past its {@code exp}. */
    EXPIRED,
    /** Signed correctly but for another key ({@code sub}). */
    WRONG_KEY
}
