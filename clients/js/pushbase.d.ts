// Type declarations for pushbase.js, the Pushbase browser client (hand-written; the module is
// plain JavaScript). The wire protocol: docs/PROTOCOL.md in the Pushbase repository.

/** The version value that selects Pushbase's exact message format (`"mid":"<digits>"`). */
export declare const EXACT_VERSION: "pushbase.1";

/** How the client is connected to the key's comet. */
export type Transport = "websocket" | "sse";

/**
 * `idle` before the first `start()`; `connecting` while looking the comet up and subscribing;
 * `connected` once subscribed; `disconnected` while waiting to reconnect; `stopped` after `stop()`.
 */
export type ClientState = "idle" | "connecting" | "connected" | "disconnected" | "stopped";

export interface PushbaseOptions {
  /** The key to subscribe to. */
  key: string;
  /** The web node's base URL, e.g. `https://push.example.com`; default: the page's own origin. */
  web?: string;
  /** The subscriber token when auth is on, or a function giving a fresh one per connection. */
  token?: string | (() => string | Promise<string>);
  /**
   * Resume after this mid (decimal digits, e.g. a saved `lastMid`); default: with a `device`, from
   * the device's cursor (what it acknowledged; everything stored when it never did), else from now
   * on.
   */
  since?: string;
  /** Heartbeat period in seconds; default 30 (the comet's minimum). */
  heartbeat?: number;
  /** Which transports to use: WebSocket when listed, SSE as its fallback or alone. Default both. */
  transports?: Transport[];
  /** `wss:` / `https:` to the comet; default: as the page. */
  secure?: boolean;
  /** First reconnect delay in ms (default 500); doubles per failed attempt, jittered. */
  minDelay?: number;
  /** Longest reconnect delay in ms (default 30000). */
  maxDelay?: number;
  /**
   * This installation's device id (1-64 of `A-Z a-z 0-9 . _ : -`), kept across visits:
   * acknowledgements name it; the cluster keeps one cursor per device. Without a `since` (and
   * until a message arrived) the client resumes from that cursor (`since=@<device>`).
   */
  device?: string;
  /** Acknowledge each message after the `message` listeners ran (needs `device`). Default false. */
  autoAck?: boolean;
}

/** A message pushed to the key. */
export interface MessageDetail<T = unknown> {
  /** The message id, exact, as decimal digits (mids are above 2^53: never use a number). */
  mid: string;
  /** The pushed JSON value, parsed. */
  msg: T;
  transport: Transport;
}

export interface StateDetail {
  state: ClientState;
  /** Set while `connected`. */
  transport: Transport | null;
  /** The comet's `host:port` while `connected`. */
  server: string | null;
  /** When `disconnected`: milliseconds until the next attempt. */
  delay?: number;
}

/**
 * A resume the cluster could not complete: messages after `since` may be gone (trimmed by the
 * per-key cap, deleted, expired) and were not delivered. Reload the key's state from your system
 * of record; later messages keep coming.
 */
export interface TruncatedDetail {
  /** The mid resumed after, or `@<device>` for a resume from the device's cursor. */
  since: string;
  transport: Transport | null;
}

export interface ErrorDetail {
  error: PushbaseError | Error;
}

export interface PushbaseEventMap {
  message: MessageDetail;
  state: StateDetail;
  truncated: TruncatedDetail;
  error: ErrorDetail;
}

/** Why something failed; the client keeps reconnecting after every one of them. */
export declare class PushbaseError extends Error {
  constructor(message: string, code: PushbaseError["code"], reply?: string);
  /**
   * `lookup`: the web node's lookup or time id failed; `refused`: the comet refused the
   * subscription (`reply`); `sse`: the event stream failed or was refused; `format`: a message not
   * in the exact format (the comet predates it).
   */
  readonly code: "lookup" | "refused" | "sse" | "format" | "ack";
  /** For `refused`: `-p` bad parameters, `-a` token rejected, `-c` too many, `-n` not its comet. */
  readonly reply?: string;
}

/** Compares two decimal mids exactly: negative, 0 or positive as `a` is below, equal or above. */
export declare function compareMids(a: string, b: string): number;

/** A subscription to one key; see the module's README for the whole behaviour. */
export declare class PushbaseClient extends EventTarget {
  constructor(options: PushbaseOptions);
  readonly key: string;
  readonly state: ClientState;
  /** The largest mid delivered or resumed from, exact; keep it to resume later (`since`). */
  readonly lastMid: string | null;
  readonly transport: Transport | null;
  readonly server: string | null;
  /** Connects and keeps reconnecting until `stop()`; no-op while started. */
  start(): void;
  /** Closes the connection and stops; a later `start()` resumes after `lastMid`. */
  stop(): void;
  /** The largest mid acknowledged to the comet (sent), exact; null before any. */
  readonly ackedMid: string | null;
  /**
   * Acknowledges every message up to `mid` (default `lastMid`) as processed, for this `device`:
   * sent at most every 100 ms (the largest only) over WebSocket, or as `POST /ack` on SSE; kept
   * while disconnected.
   * Returns false when there is nothing to acknowledge yet. Throws without a `device`.
   */
  ack(mid?: string): boolean;
  /** Listens to one event type with its detail; returns a function that removes the listener. */
  on<K extends keyof PushbaseEventMap>(
    type: K,
    listener: (detail: PushbaseEventMap[K]) => void,
  ): () => void;
  addEventListener<K extends keyof PushbaseEventMap>(
    type: K,
    listener: (event: CustomEvent<PushbaseEventMap[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof PushbaseEventMap>(
    type: K,
    listener: (event: CustomEvent<PushbaseEventMap[K]>) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}
