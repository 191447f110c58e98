import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Request time buckets in seconds: a check over HTTP takes about a millisecond, an
 * export or an upload minutes, so the buckets span both.
 */
const REQUEST_BUCKETS_S = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60];

/** The API process's Prometheus metrics, in a registry of its own. */
export class ApiMetrics {
  readonly registry = new Registry();

  /** Routes are labelled by their template (`/v1/lists/:list`), never the raw URL, to bound the series. */
  private readonly requests = new Counter({
    name: 'callguard_api_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly duration = new Histogram({
    name: 'callguard_api_request_duration_seconds',
    help: 'HTTP request duration, from the request to the end of the response, by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: REQUEST_BUCKETS_S,
    registers: [this.registry],
  });

  readonly redisConnected = new Gauge({
    name: 'callguard_api_redis_connected',
    help: '1 while the Redis connection is ready',
    registers: [this.registry],
  });

  readonly importJobsRunning = new Gauge({
    name: 'callguard_api_import_jobs_running',
    help: 'Import jobs uploaded to this process and not finished yet',
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'callguard_webhook_deliveries_total',
    help: 'Webhook delivery attempts by webhook and result (delivered, failed)',
    labelNames: ['webhook', 'result'] as const,
    registers: [this.registry],
  });

  readonly webhookDropped = new Counter({
    name: 'callguard_webhook_events_dropped_total',
    help: 'Webhook events dropped because their receiver kept failing for longer than the drop-after time',
    labelNames: ['webhook'] as const,
    registers: [this.registry],
  });

  readonly webhookQueued = new Counter({
    name: 'callguard_webhook_events_queued_total',
    help: 'Webhook events queued for delivery, by event type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'callguard_api_' });
    this.redisConnected.set(0);
    this.importJobsRunning.set(0);
  }

  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.duration.observe({ method, route }, seconds);
  }
}
