import { createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { DONE, GONE, type Acted, type ReadValue } from './call-control.js';
import { AGI_SESSION_TRACE, type AgiSessionTrace } from './call-trace.js';

/**
 * FastAGI, the small line protocol Asterisk's `AGI(agi://host:port/<script>?<query>)`
 * speaks over TCP: Asterisk connects, sends its `agi_*: value` lines and an empty line,
 * then waits for commands (`SET VARIABLE ...`), answering each with `200 result=...`.
 * When the server closes the connection, AGI() returns and the dialplan goes on.
 *
 * Our own module rather than a library: the npm FastAGI servers (ding-dong, asterisk.io)
 * have had no release for years, and what callguard needs is this file.
 */

/** Asterisk sends its environment at once; a connection that says nothing is not Asterisk. */
export const AGI_ENVIRONMENT_TIMEOUT_MS = 5_000;
/** Asterisk answers a command in microseconds; a silent PBX must not hold a session forever. */
export const AGI_REPLY_TIMEOUT_MS = 5_000;
/** Longest a stop waits for the sessions in flight; each is a few commands long. */
export const AGI_DRAIN_LIMIT_MS = 30_000;
/** Environment lines and replies are short; a longer line is not FastAGI. */
const MAX_LINE_LENGTH = 64 * 1024;
const CARRIAGE_RETURN = 13;

/** The `agi_*` lines Asterisk sent, without the `agi_` prefix (`channel`, `uniqueid`, `callerid`...). */
export type AgiEnvironment = Readonly<Record<string, string>>;

/** One reply to a command: `200 result=1 (value)`. */
export interface AgiReply {
  code: number;
  result: string;
  /** the text in brackets after the result, when any */
  data?: string;
}

/** What a handler sees of one AGI session: the channel's environment and its commands. */
export interface AgiSession {
  readonly env: AgiEnvironment;
  /** the script named in the request (`screen` for `agi://host/screen?route=x`) */
  readonly script: string;
  /** the request's query parameters (a `+` stays a plus: numbers travel in them) */
  readonly params: ReadonlyMap<string, string>;
  /** Sends one command; GONE when the channel hung up (Asterisk answers 511 then). */
  command(line: string): Promise<AgiReply | typeof GONE>;
  /**
   * Sends the session's last command and ends the session behind it, so the dialplan goes
   * on as soon as Asterisk carried it out, not a round trip later; the reply still comes.
   */
  lastCommand(line: string): Promise<AgiReply | typeof GONE>;
  setVariable(name: string, value: string): Promise<Acted>;
  /** setVariable as the session's last command (lastCommand). */
  setVariableAndEnd(name: string, value: string): Promise<Acted>;
  /** Reads a variable or a dialplan function (`CALLERID(num)`); value undefined when unset. */
  getVariable(name: string): Promise<ReadValue>;
  /** Asterisk's substitution of an expression (`${A},${B}`): several reads in one round trip. */
  getFullVariable(expression: string): Promise<ReadValue>;
}

export type AgiHandler = (session: AgiSession) => Promise<void>;

/** A reply that was not 200: Asterisk refused the command (syntax, unknown command). */
export class AgiCommandError extends Error {
  constructor(
    readonly command: string,
    readonly reply: string,
  ) {
    super(`AGI command ${command.split(' ').slice(0, 2).join(' ')} refused: ${reply}`);
    this.name = 'AgiCommandError';
  }
}

/** Quotes an argument as Asterisk's AGI parser reads it: in double quotes, `"` and `\` escaped. */
export function quoteAgiArgument(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[\r\n]+/g, ' ')}"`;
}

/** `200 result=1 (value)` -> code, result, data; undefined for a line that is not a final reply. */
export function parseAgiReply(line: string): AgiReply | undefined {
  const match = /^(\d{3}) (?:result=(\S*)(?: \((.*)\))?)?/.exec(line);
  if (!match) return undefined;
  const reply: AgiReply = { code: Number(match[1]), result: match[2] ?? '' };
  if (match[3] !== undefined) reply.data = match[3];
  return reply;
}

/**
 * The script and query of a request (`agi_network_script`: `screen?route=support`).
 * Percent escapes are decoded, but a `+` is not a space: the dialplan writes numbers
 * into the query as they are.
 */
export function parseAgiScript(networkScript: string): { script: string; params: Map<string, string> } {
  const question = networkScript.indexOf('?');
  const path = question < 0 ? networkScript : networkScript.slice(0, question);
  const params = new Map<string, string>();
  for (const pair of (question < 0 ? '' : networkScript.slice(question + 1)).split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    if (!params.has(name)) params.set(name, equals < 0 ? '' : decodeComponent(pair.slice(equals + 1)));
  }
  return { script: path.replace(/^\/+|\/+$/g, ''), params };
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A stray % is taken as written: the dialplan is the author, not a browser.
    return text;
  }
}

export interface AgiServerOptions {
  host: string;
  port: number;
  handler: AgiHandler;
  log: Logger;
}

/** The FastAGI listener: one session per connection, each handed to `handler`. */
export class AgiServer {
  private readonly server: Server;
  private readonly sessions = new Set<Promise<void>>();
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly options: AgiServerOptions) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens on host:port (port 0 picks a free one). */
  static async listen(options: AgiServerOptions): Promise<AgiServer> {
    const agi = new AgiServer(options);
    await new Promise<void>((resolve, reject) => {
      agi.server.once('error', reject);
      agi.server.listen(options.port, options.host, () => {
        agi.server.off('error', reject);
        resolve();
      });
    });
    return agi;
  }

  get address(): { host: string; port: number } {
    const address = this.server.address();
    if (address === null || typeof address === 'string') return { host: this.options.host, port: this.options.port };
    return { host: address.address, port: address.port };
  }

  get sessionsInFlight(): number {
    return this.sessions.size;
  }

  /**
   * Stops accepting (a new AGI() then fails at once and the dialplan goes on unscreened)
   * and waits for the sessions in flight, at most `limitMs`; those left are closed.
   */
  async close(limitMs = AGI_DRAIN_LIMIT_MS): Promise<{ unfinished: number }> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, limitMs);
    });
    await Promise.race([Promise.all([...this.sessions]), limit]);
    clearTimeout(timer);
    const unfinished = this.sessions.size;
    for (const socket of this.sockets) socket.destroy();
    await closed;
    return { unfinished };
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const trace = AGI_SESSION_TRACE.hasSubscribers ? traceSession(socket) : undefined;
    const session = runSession(socket, this.options, trace)
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'FastAGI session failed'))
      .finally(() => {
        this.sessions.delete(session);
        this.sockets.delete(socket);
        // Most sessions ended their socket with their last command; a second end() costs
        // Node an error object (ERR_STREAM_ALREADY_FINISHED, stack and all) a call.
        if (socket.writable) socket.end();
      });
    this.sessions.add(session);
  }
}

/** A session's timestamps, published when its socket closes (for a profile: bench:peer's --trace). */
function traceSession(socket: Socket): AgiSessionTrace {
  const trace: AgiSessionTrace = { channelId: '', script: '', acceptedAt: performance.now(), closedAt: 0 };
  socket.once('close', () => {
    trace.closedAt = performance.now();
    AGI_SESSION_TRACE.publish(trace);
  });
  return trace;
}

/** Reads the environment, runs the handler, and ends the session (AGI() then returns). */
async function runSession(socket: Socket, options: AgiServerOptions, trace: AgiSessionTrace | undefined): Promise<void> {
  const lines = new LineReader(socket);
  const env = await lines.environment();
  const { script, params } = parseAgiScript(env.network_script ?? '');
  if (trace) {
    trace.environmentAt = performance.now();
    trace.channelId = env.uniqueid ?? '';
    trace.script = script;
  }
  await options.handler(new SocketSession(env, script, params, lines, socket, trace));
}

/** Splits the socket's bytes into lines and hands them out one reply at a time. */
class LineReader {
  private buffer = '';
  private readonly queue: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;
  /** Asterisk wrote HANGUP: the channel is gone, commands now answer 511. */
  hungUp = false;

  constructor(socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.push(chunk));
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  async environment(): Promise<AgiEnvironment> {
    const env: Record<string, string> = {};
    for (;;) {
      // Asterisk writes its environment at once: the lines already here are read without
      // a turn of the microtask queue each (some 25 lines a session).
      const line = this.nextQueued() ?? (await this.next(AGI_ENVIRONMENT_TIMEOUT_MS, 'the AGI environment'));
      if (line === undefined) throw new Error('the connection ended before the AGI environment did');
      if (line === '') return env;
      const colon = line.indexOf(':');
      if (!line.startsWith('agi_') || colon < 0) throw new Error(`not a FastAGI environment line: ${JSON.stringify(line.slice(0, 80))}`);
      env[line.slice(4, colon)] = line.slice(colon + 1).trim();
    }
  }

  /** The next reply line, past any HANGUP notice; undefined when the connection ended. */
  async next(timeoutMs: number, what: string): Promise<string | undefined> {
    for (;;) {
      const line = this.nextQueued() ?? (await this.wait(timeoutMs, what));
      if (line === undefined) return undefined;
      if (line === 'HANGUP') {
        this.hungUp = true;
        continue;
      }
      return line;
    }
  }

  /** The next line already received, past any HANGUP notice; undefined when none is. */
  private nextQueued(): string | undefined {
    let line = this.queue.shift();
    while (line === 'HANGUP') {
      this.hungUp = true;
      line = this.queue.shift();
    }
    return line;
  }

  private wait(timeoutMs: number, what: string): Promise<string | undefined> {
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`Asterisk sent nothing for ${timeoutMs} ms while callguard waited for ${what}`));
      }, timeoutMs);
      this.waiter = (line) => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(line);
      };
    });
  }

  private push(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE_LENGTH && !this.buffer.includes('\n')) {
      this.buffer = '';
      this.finish();
      return;
    }
    let start = 0;
    let newline = this.buffer.indexOf('\n');
    while (newline >= 0) {
      const end = newline > start && this.buffer.charCodeAt(newline - 1) === CARRIAGE_RETURN ? newline - 1 : newline;
      const line = this.buffer.slice(start, end);
      start = newline + 1;
      if (this.waiter) this.waiter(line);
      else this.queue.push(line);
      newline = this.buffer.indexOf('\n', start);
    }
    this.buffer = this.buffer.slice(start);
  }

  private finish(): void {
    this.ended = true;
    this.waiter?.(undefined);
  }
}

/** Asterisk's answer to a command on a channel that hung up. */
const DEAD_CHANNEL = 511;

class SocketSession implements AgiSession {
  /**
   * The replies still due, read in the order the commands were written (Asterisk answers
   * them in that order): a command sent while a read's reply is late (one that missed the
   * decision deadline) must not take that reply for its own.
   */
  private repliesDue: Promise<unknown> | undefined;
  private unanswered = 0;

  constructor(
    readonly env: AgiEnvironment,
    readonly script: string,
    readonly params: ReadonlyMap<string, string>,
    private readonly lines: LineReader,
    private readonly socket: Socket,
    private readonly trace: AgiSessionTrace | undefined,
  ) {}

  command(line: string): Promise<AgiReply | typeof GONE> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(GONE);
    this.socket.write(`${line}\n`);
    if (this.trace) this.trace.commandWrittenAt ??= performance.now();
    return this.replyInTurn(line);
  }

  lastCommand(line: string): Promise<AgiReply | typeof GONE> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(GONE);
    // The end rides right behind the command: Asterisk (res_agi.c, run_agi) reads the
    // line, carries it out and answers, then reads the end and returns from AGI().
    this.socket.end(`${line}\n`);
    if (this.trace) this.trace.commandWrittenAt ??= performance.now();
    return this.replyInTurn(line);
  }

  private replyInTurn(line: string): Promise<AgiReply | typeof GONE> {
    // One command at a time (the usual case) reads its reply at once, without a turn.
    const reply = this.unanswered === 0 || this.repliesDue === undefined ? this.reply(line) : this.repliesDue.then(() => this.reply(line));
    this.unanswered += 1;
    const settled = reply.then(
      () => void (this.unanswered -= 1),
      () => void (this.unanswered -= 1),
    );
    this.repliesDue = settled;
    return reply;
  }

  private async reply(line: string): Promise<AgiReply | typeof GONE> {
    const what = `the reply to ${line.split(' ').slice(0, 2).join(' ')}`;
    let text = await this.lines.next(AGI_REPLY_TIMEOUT_MS, what);
    // 520- starts a usage text that ends with a line "520 End of proper usage."
    while (text !== undefined && text.startsWith('520-')) {
      do text = await this.lines.next(AGI_REPLY_TIMEOUT_MS, what);
      while (text !== undefined && !text.startsWith('520 '));
    }
    if (this.trace) this.trace.replyAt = performance.now();
    if (text === undefined) return GONE;
    const reply = parseAgiReply(text);
    if (reply?.code === DEAD_CHANNEL) return GONE;
    if (reply?.code !== 200) throw new AgiCommandError(line, text);
    return reply;
  }

  async setVariable(name: string, value: string): Promise<Acted> {
    const reply = await this.command(`SET VARIABLE ${name} ${quoteAgiArgument(value)}`);
    return 'code' in reply ? DONE : GONE;
  }

  async setVariableAndEnd(name: string, value: string): Promise<Acted> {
    const reply = await this.lastCommand(`SET VARIABLE ${name} ${quoteAgiArgument(value)}`);
    return 'code' in reply ? DONE : GONE;
  }

  getVariable(name: string): Promise<ReadValue> {
    return this.read(`GET VARIABLE ${name}`);
  }

  getFullVariable(expression: string): Promise<ReadValue> {
    return this.read(`GET FULL VARIABLE ${quoteAgiArgument(expression)}`);
  }

  private async read(line: string): Promise<ReadValue> {
    const reply = await this.command(line);
    if (!('code' in reply)) return GONE;
    return { ok: true, value: reply.result === '1' ? (reply.data ?? '') : undefined };
  }
}
