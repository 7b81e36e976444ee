/**
 * Pushbase browser client: subscribes to one key of a Pushbase cluster and delivers every message
 * pushed to it, once and in order, across reconnects.
 *
 * It looks the key's comet up through the web node (`/1/server/get`), subscribes over WebSocket
 * and falls back to Server-Sent Events when the WebSocket upgrade fails, asks for the exact message
 * format (`ver=pushbase.1`: mids as strings, exact above 2^53), keeps the largest mid it delivered
 * and resumes after it on every reconnect (`since`; with a `device` and no mid yet, from what the
 * device acknowledged: `since=@<device>`), reporting a resume the cluster could not
 * complete as a `truncated` event. When the comet closes the connection (a ring move, a restart,
 * a delete) it looks the key up again and reconnects with jittered exponential backoff.
 *
 * No dependencies; an ES module for `<script type="module">` and bundlers. The wire protocol is
 * docs/PROTOCOL.md in the Pushbase repository.
 *
 * @module pushbase
 */

/** The version value that selects Pushbase's exact message format (`"mid":"<digits>"`). */
export const EXACT_VERSION = "pushbase.1";

const HEARTBEAT_REPLY = "+h\r\n";
/** How long a heartbeat may go unanswered before the WebSocket counts as dead, in ms. */
const HEARTBEAT_ANSWER_TIMEOUT = 10000;
const MID = /^\d{1,19}$/;
/** A device id as the comets accept it (docs/PROTOCOL.md, Acknowledgements). */
const DEVICE = /^[A-Za-z0-9._:-]{1,64}$/;
/** Acks go out at most this often, in ms (the comet allows 20 a second per connection). */
const ACK_INTERVAL = 100;

/** A RESP request of these arguments: the bytes of an `ack` on TCP, one text frame on WebSocket. */
function respRequest(...args) {
  const encoder = new TextEncoder();
  return `*${args.length}\r\n` + args.map((a) => `$${encoder.encode(a).length}\r\n${a}\r\n`).join("");
}

/**
 * Compares two mids given as decimal strings (exactly, whatever their size).
 *
 * @param {string} a
 * @param {string} b
 * @returns {number} negative, 0 or positive as `a` is below, equal to or above `b`
 */
export function compareMids(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * What went wrong, in an `error` event. `code` says where:
 * `"lookup"` (the web node's lookup or time id failed), `"refused"` (the comet answered a refusal;
 * `reply` holds it: `-p` bad parameters, `-a` token rejected, `-c` too many connections, `-n` not
 * this key's comet), `"sse"` (the event stream failed or was refused), `"format"` (a message that
 * is not the exact format: the comet predates it), `"ack"` (an acknowledgement was refused; `reply`
 * holds `-k <problem>`; the connection stays open).
 */
export class PushbaseError extends Error {
  /**
   * @param {string} message
   * @param {"lookup" | "refused" | "sse" | "format"} code
   * @param {string} [reply] the comet's refusal, for code `"refused"`
   */
  constructor(message, code, reply) {
    super(message);
    this.name = "PushbaseError";
    this.code = code;
    this.reply = reply;
  }
}

/**
 * A subscription to one key. Create it, listen (`on` or `addEventListener`), then `start()`.
 *
 * Events (each a `CustomEvent` whose `detail` is given; `on` passes the detail itself):
 * - `message` `{mid, msg, transport}`: a message, `mid` its exact id as a string, `msg` the pushed
 *   JSON value, parsed; never one at or below a mid already delivered;
 * - `state` `{state, transport, server, delay?}`: `connecting`, `connected`, `disconnected` (a
 *   reconnect is due in `delay` ms) or `stopped`;
 * - `truncated` `{since, transport}`: messages after `since` may be gone (trimmed, deleted,
 *   expired) and were not delivered: reload the key's state from your system of record. `since`
 *   is a mid, or `@<device>` for a resume from the device's cursor (always truncated for a device
 *   that never acknowledged: it has nothing yet);
 * - `error` `{error}`: a {@link PushbaseError} or the browser's error; the client keeps trying.
 *
 * One client holds at most one connection; all its work runs on the page's event loop.
 */
export class PushbaseClient extends EventTarget {
  #key;
  #web;
  #token;
  #heartbeat;
  #transports;
  #secure;
  #minDelay;
  #maxDelay;

  #state = "idle";
  #lastMid = null;
  #transport = null;
  #server = null;
  #since = null;
  #socket = null;
  #source = null;
  #timer = null;
  #beat = null;
  #unanswered = null;
  #attempt = 0;
  #generation = 0;
  #sseOnly = false;
  #device;
  #autoAck;
  #acked = null;
  #ackPending = null;
  #ackTimer = null;
  #streamToken = null;

  /**
   * @param {object} options
   * @param {string} options.key the key to subscribe to
   * @param {string} [options.web] the web node's base URL, e.g. `https://push.example.com`; default
   *   the page's own origin
   * @param {string | (() => string | Promise<string>)} [options.token] the subscriber token when
   *   auth is on, or a function giving a fresh one for each connection
   * @param {string} [options.since] resume after this mid (one you kept from `lastMid`); default:
   *   with a `device`, the device's cursor (what it acknowledged: `since=@<device>`), else the web
   *   node's time id, i.e. messages from now on
   * @param {number} [options.heartbeat] heartbeat period in seconds (default 30: the comet's
   *   minimum)
   * @param {Array<"websocket" | "sse">} [options.transports] which to use (default both):
   *   WebSocket when listed, SSE when it is the only one or after a failed WebSocket upgrade
   * @param {boolean} [options.secure] `wss:`/`https:` to the comet; default: as the page
   * @param {number} [options.minDelay] first reconnect delay in ms (default 500)
   * @param {number} [options.maxDelay] longest reconnect delay in ms (default 30000)
   * @param {string} [options.device] this installation's device id (1-64 of `A-Z a-z 0-9 . _ : -`),
   *   kept across visits: acknowledgements name it, and the cluster keeps a cursor per device
   * @param {boolean} [options.autoAck] acknowledge each message once every `message` listener has
   *   run (needs `device`; default false: call `ack()` yourself)
   */
  constructor(options) {
    super();
    if (!options || typeof options.key !== "string" || options.key === "") {
      throw new TypeError("PushbaseClient needs a non-empty key");
    }
    const since = options.since;
    if (since !== undefined && (typeof since !== "string" || !MID.test(since))) {
      throw new TypeError("since must be a mid: decimal digits, as a string");
    }
    this.#key = options.key;
    this.#web = (options.web ?? "").replace(/\/+$/, "");
    this.#token = options.token;
    this.#heartbeat = options.heartbeat ?? 30;
    this.#transports = options.transports ?? ["websocket", "sse"];
    this.#secure =
      options.secure ?? (typeof location !== "undefined" && location.protocol === "https:");
    this.#minDelay = options.minDelay ?? 500;
    this.#maxDelay = options.maxDelay ?? 30000;
    this.#lastMid = options.since ?? null;
    if (options.device !== undefined && (typeof options.device !== "string" || !DEVICE.test(options.device))) {
      throw new TypeError("device must be 1 to 64 characters of A-Z a-z 0-9 . _ : -");
    }
    this.#device = options.device;
    this.#autoAck = options.autoAck ?? false;
    if (this.#autoAck && this.#device === undefined) {
      throw new TypeError("autoAck needs a device");
    }
    if (
      this.#transports.length === 0 ||
      !this.#transports.every((t) => t === "websocket" || t === "sse")
    ) {
      throw new TypeError('transports must name "websocket", "sse" or both');
    }
  }

  /** The subscribed key. */
  get key() {
    return this.#key;
  }

  /** `idle`, `connecting`, `connected`, `disconnected` or `stopped`. */
  get state() {
    return this.#state;
  }

  /** The largest mid delivered (or resumed from), exact, as a string; null before any. */
  get lastMid() {
    return this.#lastMid;
  }

  /** `websocket` or `sse` while connected, else null. */
  get transport() {
    return this.#transport;
  }

  /** The comet's `host:port` while connected, else null. */
  get server() {
    return this.#server;
  }

  /** The largest mid acknowledged to the comet (sent), exact; null before any. */
  get ackedMid() {
    return this.#acked;
  }

  /**
   * Acknowledges that every message up to `mid` (default: `lastMid`) was processed: the cluster
   * raises this device's cursor to it, which app servers read as a delivery receipt. Acks are sent
   * at most every 100 ms (only the largest counts): over the WebSocket as the ack request, over
   * Server-Sent Events as `POST /ack` to the stream's comet; kept while disconnected until the next
   * connection.
   *
   * @param {string} [mid] decimal digits, a mid this client delivered
   * @returns {boolean} false when there is nothing to acknowledge yet
   */
  ack(mid = this.#lastMid) {
    if (this.#device === undefined) {
      throw new TypeError("ack needs the device option");
    }
    if (mid === null) {
      return false;
    }
    if (typeof mid !== "string" || !MID.test(mid)) {
      throw new TypeError("ack takes a mid: decimal digits, as a string");
    }
    const floor = this.#ackPending ?? this.#acked;
    if (floor === null || compareMids(mid, floor) > 0) {
      this.#ackPending = mid;
    }
    this.#scheduleAck();
    return true;
  }

  #scheduleAck() {
    if (this.#ackTimer === null && this.#ackPending !== null) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = null;
        this.#sendAck();
      }, ACK_INTERVAL);
    }
  }

  #sendAck() {
    const mid = this.#ackPending;
    if (mid === null) {
      return;
    }
    const socket = this.#socket;
    if (this.#transport === "websocket" && socket?.readyState === 1) {
      socket.send(respRequest("ack", this.#key, this.#device, mid));
      this.#acked = mid;
      this.#ackPending = null;
    } else if (this.#transport === "sse" && this.#source !== null) {
      this.#postAck(mid, this.#server, this.#streamToken);
    }
    // Otherwise kept for the next connection.
  }

  /** An SSE client's ack: `POST /ack` on the stream's comet (202 taken). */
  async #postAck(mid, server, token) {
    this.#ackPending = null;
    let query =
      `key=${encodeURIComponent(this.#key)}&device=${encodeURIComponent(this.#device)}&mid=${mid}`;
    if (token) {
      query += `&token=${encodeURIComponent(token)}`;
    }
    try {
      const response = await fetch(`http${this.#secure ? "s" : ""}://${server}/ack?${query}`, {
        method: "POST",
        cache: "no-store",
      });
      if (response.status === 202) {
        if (this.#acked === null || compareMids(mid, this.#acked) > 0) {
          this.#acked = mid;
        }
        return;
      }
      const reply = (await response.text()).trim();
      this.#fail(new PushbaseError(`the comet refused an ack: ${reply}`, "ack", reply));
    } catch (error) {
      // Not sent: keep it (unless a larger one is waiting) for the next try.
      if (this.#ackPending === null || compareMids(mid, this.#ackPending) > 0) {
        this.#ackPending = mid;
      }
    }
  }

  /** Connects, and keeps reconnecting until {@link stop}. Does nothing while already started. */
  start() {
    if (this.#state !== "idle" && this.#state !== "stopped") {
      return;
    }
    this.#generation++;
    this.#attempt = 0;
    this.#sseOnly = false;
    this.#connect(this.#generation);
  }

  /** Closes the connection and stops reconnecting; `start()` resumes after `lastMid`. */
  stop() {
    this.#generation++;
    this.#drop();
    this.#setState("stopped");
  }

  /**
   * Listens to one event type with its detail.
   *
   * @param {"message" | "state" | "truncated" | "error"} type
   * @param {(detail: any) => void} listener
   * @returns {() => void} removes the listener
   */
  on(type, listener) {
    const wrapped = (event) => listener(event.detail);
    this.addEventListener(type, wrapped);
    return () => this.removeEventListener(type, wrapped);
  }

  // --- connecting ---

  async #connect(generation) {
    this.#setState("connecting");
    try {
      // A fresh page with a device resumes from what the device acknowledged (`since=@<device>`);
      // without one it starts from "now".
      if (this.#lastMid === null && this.#device === undefined) {
        const now = await this.#timeId();
        this.#lastMid ??= generation === this.#generation ? now : null;
      }
      const server = await this.#lookup();
      const token = typeof this.#token === "function" ? await this.#token() : this.#token;
      if (generation !== this.#generation) {
        return;
      }
      this.#server = server;
      this.#since = this.#lastMid ?? `@${this.#device}`;
      if (this.#transports.includes("websocket") && !this.#sseOnly) {
        this.#openWebSocket(generation, server, token);
      } else {
        this.#openSse(generation, server, token, false);
      }
    } catch (error) {
      if (generation === this.#generation) {
        this.#fail(
          error instanceof PushbaseError
            ? error
            : new PushbaseError(`lookup: ${error?.message ?? error}`, "lookup"),
        );
        this.#reconnect(generation);
      }
    }
  }

  /** The web node's answer `data`, or a PushbaseError for another `ret`. */
  async #get(path) {
    const response = await fetch(this.#web + path, { cache: "no-store" });
    const text = await response.text();
    const answer = JSON.parse(text);
    if (answer.ret !== 0) {
      throw new PushbaseError(`${path.split("?")[0]} answered ret ${answer.ret}`, "lookup");
    }
    return { data: answer.data, text };
  }

  async #lookup() {
    const { data } = await this.#get(`/1/server/get?k=${encodeURIComponent(this.#key)}&p=1`);
    return data.server;
  }

  /** "Now" as a mid, read from the answer's text: as a JSON number it would be rounded. */
  async #timeId() {
    const { text } = await this.#get("/1/time/get");
    const digits = /"timeid":(\d+)/.exec(text);
    if (!digits) {
      throw new PushbaseError("/1/time/get answered no time id", "lookup");
    }
    return digits[1];
  }

  #url(scheme, server, path, token) {
    let query = `key=${encodeURIComponent(this.#key)}&ver=${EXACT_VERSION}`;
    if (path === "/sub") {
      query += `&heartbeat=${this.#heartbeat}`;
    }
    if (token) {
      query += `&token=${encodeURIComponent(token)}`;
    }
    if (this.#since !== null) {
      query += `&since=${this.#since}`;
    }
    return `${scheme}${this.#secure ? "s" : ""}://${server}${path}?${query}`;
  }

  // --- WebSocket ---

  #openWebSocket(generation, server, token) {
    const socket = new WebSocket(this.#url("ws", server, "/sub", token));
    this.#socket = socket;
    let opened = false;
    let subscribed = false;
    socket.onopen = () => {
      opened = true;
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) {
        return;
      }
      this.#unanswered = null;
      const text = String(event.data);
      if (text === HEARTBEAT_REPLY) {
        if (!subscribed) {
          subscribed = true;
          this.#subscribed("websocket");
          this.#startHeartbeat(socket);
        }
      } else if (text.startsWith("+r ")) {
        this.#resumeAnswer(text.slice(3).trim());
      } else if (text.startsWith("-k ")) {
        // A refused acknowledgement: the connection stays open.
        const reply = text.trim();
        this.#fail(new PushbaseError(`the comet refused an ack: ${reply}`, "ack", reply));
      } else if (text.startsWith("-")) {
        // The comet closes the connection after a refusal; onclose reconnects.
        const reply = text.trim();
        this.#fail(new PushbaseError(`the comet refused: ${reply}`, "refused", reply));
      } else {
        this.#message(text);
      }
    };
    socket.onclose = () => {
      if (this.#socket !== socket || generation !== this.#generation) {
        return;
      }
      this.#socket = null;
      this.#stopHeartbeat();
      if (!opened && this.#transports.includes("sse")) {
        // The upgrade failed (a proxy refusing WebSocket, say): the same comet over SSE.
        this.#openSse(generation, server, token, true);
      } else {
        this.#reconnect(generation);
      }
    };
  }

  /**
   * Sends `h` every half period (the comet closes a connection silent for period + 5 s, and a
   * throttled timer may run late). A heartbeat still unanswered when the next is due (and for over
   * 10 s) means the connection is dead even if the browser has not noticed: drop it, reconnect.
   */
  #startHeartbeat(socket) {
    const generation = this.#generation;
    this.#beat = setInterval(() => {
      const unanswered = this.#unanswered === null ? 0 : Date.now() - this.#unanswered;
      if (unanswered > HEARTBEAT_ANSWER_TIMEOUT) {
        this.#drop();
        this.#reconnect(generation);
        return;
      }
      socket.send("h");
      this.#unanswered ??= Date.now();
    }, (this.#heartbeat * 1000) / 2);
  }

  #stopHeartbeat() {
    clearInterval(this.#beat);
    this.#beat = null;
    this.#unanswered = null;
  }

  // --- Server-Sent Events ---

  #openSse(generation, server, token, afterWebSocketFailed) {
    this.#streamToken = token;
    const source = new EventSource(this.#url("http", server, "/sse", token));
    this.#source = source;
    source.onopen = () => {
      if (this.#source !== source) {
        return;
      }
      // WebSocket failed where SSE works: the path refuses upgrades; stay on SSE until start().
      this.#sseOnly ||= afterWebSocketFailed;
      this.#subscribed("sse");
    };
    source.onmessage = (event) => {
      if (this.#source === source) {
        this.#message(event.data);
      }
    };
    source.addEventListener("resume", (event) => {
      if (this.#source === source) {
        this.#resumeAnswer(event.data);
      }
    });
    source.onerror = () => {
      // EventSource would reconnect to the same comet by itself; the key may have moved, and a
      // refusal (HTTP 4xx) ends it anyway: close it and reconnect from the lookup.
      source.close();
      if (this.#source !== source || generation !== this.#generation) {
        return;
      }
      this.#source = null;
      if (this.#transport !== "sse") {
        this.#fail(new PushbaseError(`the event stream on ${server} failed or was refused`, "sse"));
      }
      this.#reconnect(generation);
    };
  }

  // --- what every transport shares ---

  #subscribed(transport) {
    this.#attempt = 0;
    this.#transport = transport;
    this.#setState("connected");
    this.#scheduleAck(); // what was acknowledged while disconnected
  }

  #resumeAnswer(answer) {
    if (answer === "truncated") {
      this.#emit("truncated", { since: this.#since, transport: this.#transport });
    }
  }

  #message(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (error) {
      this.#fail(new PushbaseError(`a message that is not JSON: ${text.slice(0, 80)}`, "format"));
      return;
    }
    if (typeof message.mid !== "string" || !MID.test(message.mid)) {
      const problem = "a message without a string mid: the comet does not know pushbase.1";
      this.#fail(new PushbaseError(problem, "format"));
      return;
    }
    if (this.#lastMid !== null && compareMids(message.mid, this.#lastMid) <= 0) {
      return; // already delivered
    }
    this.#lastMid = message.mid;
    this.#emit("message", { mid: message.mid, msg: message.msg, transport: this.#transport });
    if (this.#autoAck) {
      this.ack(message.mid); // every listener has run: dispatchEvent is synchronous
    }
  }

  #reconnect(generation) {
    if (generation !== this.#generation) {
      return;
    }
    this.#drop();
    // Equal jitter: half the exponential delay, plus up to as much again at random, so clients
    // dropped together (a comet restart) come back spread out.
    const ceiling = Math.min(this.#maxDelay, this.#minDelay * 2 ** this.#attempt);
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    this.#setState("disconnected", { delay });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (generation === this.#generation) {
        this.#connect(generation);
      }
    }, delay);
  }

  /** Closes whatever is open, silently (its handlers see it is no longer current). */
  #drop() {
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#stopHeartbeat();
    const socket = this.#socket;
    const source = this.#source;
    this.#socket = null;
    this.#source = null;
    this.#transport = null;
    socket?.close();
    source?.close();
  }

  #setState(state, extra) {
    this.#state = state;
    this.#emit("state", {
      state,
      transport: this.#transport,
      server: state === "connected" ? this.#server : null,
      ...extra,
    });
  }

  #fail(error) {
    this.#emit("error", { error });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
