import { EventEmitter } from 'node:events';
import type { RedisClient } from '../redis/connect.js';
import type { Logger } from '../log.js';
import { isAuthError } from '../redis/auth.js';

/**
 * What the connection to Redis is doing, as readiness and the metric report it:
 * `ready` (connected, and the last probe answered within its deadline), `stalled`
 * (connected, but a probe went unanswered past its deadline), `auth-failed` (Redis
 * refuses the login), or ioredis' own status while not connected (`connecting`,
 * `reconnecting`, `end`...).
 */
export type RedisState = 'ready' | 'stalled' | 'auth-failed' | string;

interface HealthEvents {
  change: [state: RedisState];
}

/**
 * Watches the service's Redis connection beyond its socket: a PING is sent every half
 * deadline, and one unanswered when its deadline passes makes the state `stalled` until
 * a later one is answered. A stall (SIGSTOP, a blocked Redis) therefore shows within
 * one and a half deadlines. A refused login shows as `auth-failed` until Redis lets
 * the connection in.
 */
export class RedisHealth extends EventEmitter<HealthEvents> {
  private stalled = false;
  private authFailed = false;
  private probing = false;
  private timer: NodeJS.Timeout | undefined;
  private last: RedisState;

  constructor(
    private readonly redis: RedisClient,
    private readonly deadlineMs: number,
    private readonly log: Logger,
  ) {
    super();
    this.last = this.state;
    redis.on('error', (error: Error) => {
      if (isAuthError(error)) {
        this.authFailed = true;
        this.publish();
      }
    });
    for (const event of ['ready', 'close', 'reconnecting', 'end', 'connect'] as const) {
      redis.on(event, () => {
        if (event === 'ready') this.authFailed = false;
        // A new connection starts without the old one's stall; its probe tells afresh.
        if (event !== 'ready') this.stalled = false;
        this.publish();
      });
    }
  }

  get state(): RedisState {
    if (this.redis.status !== 'ready') return this.authFailed ? 'auth-failed' : this.redis.status;
    return this.stalled ? 'stalled' : 'ready';
  }

  start(): void {
    this.timer ??= setInterval(() => this.probe(), Math.max(1, Math.floor(this.deadlineMs / 2)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private probe(): void {
    if (this.probing || this.redis.status !== 'ready') return;
    this.probing = true;
    const overdue = setTimeout(() => {
      if (this.stalled) return;
      this.stalled = true;
      this.log.warn({ probeDeadlineMs: this.deadlineMs }, 'Redis stalled: no answer to PING within the probe deadline');
      this.publish();
    }, this.deadlineMs);
    overdue.unref();
    this.redis.ping().then(
      () => {
        clearTimeout(overdue);
        this.probing = false;
        if (!this.stalled) return;
        this.stalled = false;
        this.log.info('Redis answers again');
        this.publish();
      },
      () => {
        // Timed out or the connection closed: the stall (if any) stays until a PING is
        // answered; a closed connection shows through its status.
        clearTimeout(overdue);
        this.probing = false;
      },
    );
  }

  private publish(): void {
    const state = this.state;
    if (state === this.last) return;
    this.last = state;
    this.emit('change', state);
  }
}
