/**
 * A connection of the scrub's batch reads' own, its replies read by the reader below and
 * not by ioredis. Measured (bench:registry at the full registry's density, 1.9 numbers a
 * block): ioredis' RESP decoder was the largest part of the scrub's CLI time, its
 * Command, Pipeline and promise a command the next, for a reply whose shape the read
 * knows (a MULTI's few counts, an MGET of ~1,000 blocks, a SMISMEMBER of 2,000 integers).
 *
 * ioredis makes the connection (TLS, AUTH, SELECT, HELLO 3, a Sentinel's master) with
 * the client's own options; once it is ready and has nothing in flight, the socket's
 * replies go to this reader and the requests are written to it as bytes. Not for a
 * Cluster (a request here goes to one node): there the read goes through ioredis.
 * A connection that drops fails its requests and is not reconnected: the next batch
 * opens another, and the scrub whose batch failed stops, as on any Redis error.
 */
import type { Duplex } from 'node:stream';
import type { Redis } from 'ioredis';

/** A reply: an integer, a string (bulk, simple, double: its bytes), nil, an array (a map's pairs flat), or a command's error. */
export type BulkReply = number | Buffer | null | BulkReply[] | Error;

/**
 * Takes the strings of one array as they are read, in place of keeping them: element
 * `index`'s bytes are `bytes` from `start` to `end` (a view of the socket's chunk, valid
 * during the call only), or null for nil. The array then reads as its length. For a
 * scrub batch's MGET of whole blocks, of which the read needs a bit or two each: read
 * once all the reply was in, a block's bytes had left the CPU's caches (~1.3 MB a batch),
 * and the bit lookups were the batch read's largest part.
 */
export type StringSink = (index: number, bytes: Buffer | null, start: number, end: number) => void;

/** A sink for the array that is element `element` of the request's reply number `reply` (from 0: MULTI's is 0). */
export interface NestedSink {
  reply: number;
  element: number;
  to: StringSink;
}

interface Waiting {
  count: number;
  replies: BulkReply[];
  resolve: (replies: BulkReply[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  sinks: readonly NestedSink[];
}

export class BulkConnection {
  private readonly waiting: Waiting[] = [];
  private failure: Error | undefined;
  private readonly reader = new ReplyReader(
    (reply) => this.answer(reply),
    (element) => this.sinkOf(element),
  );

  private constructor(
    private readonly client: Redis,
    private readonly socket: Duplex,
  ) {
    socket.removeAllListeners('data');
    socket.on('data', (chunk: Buffer) => {
      try {
        this.reader.write(chunk);
      } catch (error) {
        this.fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
    // A socket error ends in its close; the batch fails with the error's words.
    let lastError: Error | undefined;
    client.on('error', (error: Error) => {
      lastError = error;
    });
    socket.once('close', () => this.fail(new Error(`the connection of the scrub's batch reads closed${lastError ? `: ${lastError.message}` : ''}`)));
  }

  static async open(redis: Redis): Promise<BulkConnection> {
    const client = redis.duplicate({ lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
    await client.connect();
    // Replies come in order: once this one is in, no reply ioredis waits for is left to come.
    await client.ping();
    return new BulkConnection(client, client.stream);
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Writes `requests` as they are and answers with the `count` replies they get, the arrays `sinks` name handed to them. */
  send(requests: Buffer[], count: number, sinks: readonly NestedSink[] = []): Promise<BulkReply[]> {
    if (this.failure) return Promise.reject(this.failure);
    // The client's command timeout holds here too (serve's and the API's: a hung Redis
    // fails the scrub rather than holding it); a reply cannot be skipped in the stream,
    // so the connection fails with it.
    const timeout = this.client.options.commandTimeout;
    return new Promise((resolve, reject) => {
      const timer = timeout === undefined ? undefined : setTimeout(() => this.fail(new Error(`the scrub's batch read got no answer in ${timeout} ms`)), timeout);
      this.waiting.push({ count, replies: [], resolve, reject, timer, sinks });
      this.socket.cork();
      for (const request of requests) this.socket.write(request);
      this.socket.uncork();
    });
  }

  close(): void {
    this.fail(new Error("the connection of the scrub's batch reads was closed"));
  }

  /** The sink of an array opened as element `element` of the reply being read, if its request named one. */
  private sinkOf(element: number): StringSink | undefined {
    const head = this.waiting[0];
    if (head === undefined) return undefined;
    const reply = head.replies.length;
    return head.sinks.find((sink) => sink.reply === reply && sink.element === element)?.to;
  }

  private answer(reply: BulkReply): void {
    const head = this.waiting[0];
    if (head === undefined) throw new Error("a reply nothing asked for on the connection of the scrub's batch reads");
    head.replies.push(reply);
    if (head.replies.length < head.count) return;
    this.waiting.shift();
    clearTimeout(head.timer);
    head.resolve(head.replies);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiting of this.waiting.splice(0)) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.client.disconnect();
  }
}

const connections = new WeakMap<Redis, Promise<BulkConnection>>();
/** Clients whose end closes their bulk connection: one listener a client, however often it is opened again. */
const watched = new WeakSet<Redis>();

/** The client's bulk connection, opened on first use and closed when the client ends. */
export async function bulkConnectionOf(redis: Redis): Promise<BulkConnection> {
  // Batches in flight ask together: the one that finds the connection failed first opens the next, the others use it.
  for (let known = connections.get(redis); known !== undefined; known = connections.get(redis)) {
    const connection = await known.catch(() => undefined);
    if (connection !== undefined && !connection.failed) return connection;
    if (connections.get(redis) === known) break;
  }
  const opening = BulkConnection.open(redis);
  if (!watched.has(redis)) {
    watched.add(redis);
    redis.once('end', () => {
      watched.delete(redis);
      void connections.get(redis)?.then((connection) => connection.close(), () => undefined);
      connections.delete(redis);
    });
  }
  connections.set(redis, opening);
  opening.catch(() => {
    if (connections.get(redis) === opening) connections.delete(redis);
  });
  return opening;
}

const CR = 0x0d;
const MINUS = 0x2d;
/** An element not yet whole in the bytes read. */
const INCOMPLETE = Symbol('incomplete');
/** An aggregate's header: its elements follow. */
const OPENED = Symbol('opened');
/** A string handed to its frame's sink as it was read. */
const SUNK = Symbol('sunk');

/** A frame of an aggregate being read: a push or an attribute is read and dropped. */
interface Frame {
  items: BulkReply[];
  left: number;
  kept: boolean;
  /** its elements (a map's keys and values each) */
  total: number;
  /** takes its strings as they are read; the frame then reads as its length */
  sink: StringSink | undefined;
}

/**
 * RESP2 and RESP3 replies read from a socket's chunks as they come, resuming where a
 * chunk ended. Strings are views of the chunks (no copy), but for one cut by a chunk's
 * end, which is copied whole once its bytes are in; those of an array a sink takes are
 * handed to it instead, as they are read.
 */
export class ReplyReader {
  private buffer: Buffer = Buffer.alloc(0);
  private at = 0;
  private readonly frames: Frame[] = [];
  /** a string cut by a chunk's end: its bytes so far, and those still to come (its CRLF too) */
  private cut: { type: number; bytes: Buffer; filled: number; left: number } | undefined;

  /** `sinkOf`: asked, for each array opened inside a reply that is an array, whether a sink takes its strings (by its place in the reply). */
  constructor(
    private readonly onReply: (reply: BulkReply) => void,
    private readonly sinkOf: (element: number) => StringSink | undefined = () => undefined,
  ) {}

  write(chunk: Buffer): void {
    let from = 0;
    if (this.cut !== undefined) {
      const cut = this.cut;
      const take = Math.min(cut.left, chunk.length);
      const body = Math.min(take, cut.bytes.length - cut.filled);
      if (body > 0) chunk.copy(cut.bytes, cut.filled, 0, body);
      cut.filled += body;
      cut.left -= take;
      if (cut.left > 0) return;
      this.cut = undefined;
      from = take;
      this.deliver(stringOf(cut.type, cut.bytes));
    }
    // Only the few bytes of a cut header are left over: copied before the new chunk.
    this.buffer = this.at < this.buffer.length ? Buffer.concat([this.buffer.subarray(this.at), chunk.subarray(from)]) : chunk.subarray(from);
    this.at = 0;
    for (;;) {
      const start = this.at;
      const value = this.element();
      if (value === INCOMPLETE) {
        if (this.cut === undefined) this.at = start;
        return;
      }
      if (value !== OPENED) this.deliver(value);
    }
  }

  private deliver(reply: BulkReply | typeof SUNK): void {
    let value = reply;
    for (;;) {
      const frame = this.frames.at(-1);
      if (frame === undefined) {
        // A string is sunk only inside its array's frame.
        if (value !== SUNK) this.onReply(value);
        return;
      }
      if (frame.sink !== undefined) {
        if (value !== SUNK) {
          if (value !== null && !Buffer.isBuffer(value)) throw new Error("a reply of another shape than strings where the scrub's batch read asked for strings");
          frame.sink(frame.total - frame.left, value, 0, value?.length ?? 0);
        }
      } else if (frame.kept) frame.items.push(value as BulkReply);
      frame.left -= 1;
      if (frame.left > 0) return;
      this.frames.pop();
      if (!frame.kept) return;
      value = frame.sink === undefined ? frame.items : frame.total;
    }
  }

  /** The next element, OPENED for an aggregate's header, INCOMPLETE when its bytes are not all in. */
  private element(): BulkReply | typeof INCOMPLETE | typeof OPENED | typeof SUNK {
    const buffer = this.buffer;
    const type = buffer[this.at];
    if (type === undefined) return INCOMPLETE;
    const lineStart = this.at + 1;
    let lineEnd = lineStart;
    while (lineEnd < buffer.length && buffer[lineEnd] !== CR) lineEnd += 1;
    if (lineEnd + 1 >= buffer.length) return INCOMPLETE;
    this.at = lineEnd + 2;
    switch (type) {
      case 0x3a: // : integer
        return integerOf(buffer, lineStart, lineEnd);
      case 0x2b: // + simple string
      case 0x2c: // , double
      case 0x28: // ( big number
        return buffer.subarray(lineStart, lineEnd);
      case 0x2d: // - error
        return new Error(buffer.toString('utf8', lineStart, lineEnd));
      case 0x5f: // _ null
        return null;
      case 0x23: // # boolean
        return buffer[lineStart] === 0x74 ? 1 : 0;
      case 0x24: // $ bulk string
      case 0x3d: // = verbatim string
      case 0x21: {
        // ! bulk error
        const length = integerOf(buffer, lineStart, lineEnd);
        if (length < 0) return null;
        const end = this.at + length;
        if (end + 2 > buffer.length) {
          const bytes = Buffer.allocUnsafe(length);
          const filled = Math.min(length, buffer.length - this.at);
          buffer.copy(bytes, 0, this.at, this.at + filled);
          this.cut = { type, bytes, filled, left: length + 2 - (buffer.length - this.at) };
          this.at = buffer.length;
          return INCOMPLETE;
        }
        const start = this.at;
        this.at = end + 2;
        const sink = type === 0x24 ? this.frames.at(-1)?.sink : undefined;
        if (sink !== undefined) {
          const frame = this.frames.at(-1) as Frame;
          sink(frame.total - frame.left, buffer, start, end);
          return SUNK;
        }
        return stringOf(type, buffer.subarray(start, end));
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x25: // % map
      case 0x3e: // > push
      case 0x7c: {
        // | attribute
        const count = integerOf(buffer, lineStart, lineEnd);
        if (count < 0) return null;
        const left = type === 0x25 || type === 0x7c ? 2 * count : count;
        const kept = type !== 0x3e && type !== 0x7c;
        const parent = this.frames.length === 1 ? (this.frames[0] as Frame) : undefined;
        const sink = type === 0x2a && parent?.kept === true && parent.sink === undefined ? this.sinkOf(parent.total - parent.left) : undefined;
        if (left === 0) {
          if (!kept) return OPENED;
          return sink === undefined ? [] : 0;
        }
        this.frames.push({ items: [], left, kept, total: left, sink });
        return OPENED;
      }
      default:
        throw new Error(`a reply of unknown type ${JSON.stringify(String.fromCharCode(type))} on the connection of the scrub's batch reads`);
    }
  }
}

/** A bulk string's bytes as the reply its type makes them: a verbatim string starts with its format and a colon ("txt:"). */
function stringOf(type: number, bytes: Buffer): BulkReply {
  if (type === 0x21) return new Error(bytes.toString('utf8'));
  return type === 0x3d ? bytes.subarray(4) : bytes;
}

function integerOf(buffer: Buffer, from: number, to: number): number {
  const negative = buffer[from] === MINUS;
  let value = 0;
  for (let i = negative ? from + 1 : from; i < to; i += 1) value = value * 10 + ((buffer[i] as number) - 0x30);
  return negative ? -value : value;
}
