import { afterEach, describe, expect, it } from 'vitest';
import { startHealthServer } from '../../src/service/health-server.js';
import { ServiceMetrics } from '../../src/service/metrics.js';

describe('health and metrics endpoints', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  async function serve(ready: boolean) {
    const metrics = new ServiceMetrics();
    const server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      readiness: () => ({ ready, detail: { ari: ready ? 'connected' : 'reconnecting', redis: 'ready' } }),
    });
    closers.push(server.close);
    return { metrics, base: `http://127.0.0.1:${server.address.port}` };
  }

  it('/healthz answers while the process runs, ready or not', async () => {
    const { base } = await serve(false);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('/readyz is 503 with what is not connected, 200 once everything is', async () => {
    const down = await serve(false);
    const response = await fetch(`${down.base}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ready: false, detail: { ari: 'reconnecting', redis: 'ready' } });
    const up = await serve(true);
    expect((await fetch(`${up.base}/readyz`)).status).toBe(200);
  });

  it('/metrics counts calls by verdict and action type and keeps decision times in a histogram', async () => {
    const { base, metrics } = await serve(true);
    const outcome = { verdict: 'blocked', action: 'hangup:21', decisionMs: 1.5, gone: false } as const;
    metrics.recordInbound(outcome);
    metrics.recordInbound({ ...outcome, gone: true });
    metrics.ariConnected.set(1);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('callguard_calls_total{direction="inbound",verdict="blocked",action="hangup"} 2');
    expect(text).toContain('callguard_calls_gone_total{direction="inbound"} 1');
    expect(text).toContain('callguard_decision_duration_ms_bucket{le="2",direction="inbound"} 2');
    expect(text).toContain('callguard_ari_connected 1');
    expect(text).toContain('callguard_redis_connected 0');
  });

  it('anything else is 404', async () => {
    const { base } = await serve(true);
    expect((await fetch(`${base}/admin`)).status).toBe(404);
  });
});
