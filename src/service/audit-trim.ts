import { trimAudits } from '../lists/list-settings.js';
import type { Logger } from '../log.js';
import type { RedisClient } from '../redis/connect.js';

/** How often serve trims the audit streams of lists that keep theirs for a time: retentions are years or days, not minutes. */
export const AUDIT_TRIM_INTERVAL_MS = 3_600_000;

/**
 * Trims, once Redis is ready at start and then every AUDIT_TRIM_INTERVAL_MS, the audit
 * streams of the lists given an audit retention (list set --audit-retention); lists without
 * one, and consent lists below five years, keep theirs. Several instances trimming the same
 * streams do no harm. serve's connections queue no command while they connect: a pass run
 * then failed at every start and waited the whole interval, so the first pass waits for
 * `ready`, and a failed pass is tried again at the next `ready` (a reconnect) too.
 */
export class AuditTrim {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private owed = true;
  private readonly onReady = (): void => {
    if (this.owed) this.pass();
  };

  constructor(
    private readonly redis: RedisClient,
    private readonly namespace: string,
    private readonly log: Logger,
    private readonly intervalMs: number = AUDIT_TRIM_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.pass(), this.intervalMs);
    this.timer.unref();
    this.redis.on('ready', this.onReady);
    if (this.redis.status === 'ready') this.pass();
  }

  async stop(): Promise<void> {
    this.redis.off('ready', this.onReady);
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private pass(): void {
    if (this.running) return;
    this.owed = false;
    this.running = trimAudits(this.redis, this.namespace, Date.now())
      .then((trimmed) => {
        for (const { list, trimmed: events } of trimmed) this.log.info({ list, events }, 'audit events past the list retention trimmed');
      })
      .catch((error: unknown) => {
        this.owed = true;
        this.log.warn({ err: error }, 'audit trim failed; tried again when Redis is ready again, or at the next pass');
      })
      .finally(() => {
        this.running = undefined;
      });
  }
}
