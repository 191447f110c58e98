import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { Role } from '../../src/access/roles.js';
import { TokenStore } from '../../src/access/tokens.js';
import { parseApiConfig, type ApiSettings } from '../../src/api/config.js';
import { startApi, type RunningApi } from '../../src/api/start.js';
import { createLogger } from '../../src/log.js';
import { redisUrl, testNamespace } from '../helpers/redis.js';

/** The JSON log lines an in-process API wrote, for tests that read them. */
export class LogLines {
  private text = '';
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, callback) => {
      this.text += chunk.toString('utf8');
      callback();
    },
  });

  raw(): string {
    return this.text;
  }

  lines(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface TestApi {
  api: RunningApi;
  namespace: string;
  logs: LogLines;
  redis: Redis;
  /** a token of each role, not limited to lists */
  tokens: Record<Role, string>;
  /** another token; `lists` limits it */
  token(name: string, role: Role, lists?: string[]): Promise<string>;
  /** a real HTTP request to the API */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
}

export interface RequestOptions {
  token?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** the body parsed as JSON, or undefined when it is not JSON */
  json: any;
}

/**
 * `callguard api` in-process on 127.0.0.1 (a free port) against the test Redis, in a
 * namespace of its own, with a token of every role. Requests go over real HTTP.
 */
export async function startTestApi(settings: ApiSettings = {}, redis: string = redisUrl()): Promise<TestApi> {
  const namespace = testNamespace();
  const logs = new LogLines();
  const config = parseApiConfig({ listen: '127.0.0.1:0', redisUrl: redis, namespace, rateLimit: 'off', logLevel: 'debug', ...settings });
  const api = await startApi(config, createLogger({ level: config.logLevel, destination: logs.stream }));
  await api.ready();
  const client = new Redis(redis, { maxRetriesPerRequest: 1 });
  const store = new TokenStore(client, namespace);
  const token = async (name: string, role: Role, lists?: string[]): Promise<string> =>
    (await store.create({ name, role, lists: lists ?? null, createdBy: 'test' })).token;
  const tokens = {
    viewer: await token('viewer', 'viewer'),
    operator: await token('operator', 'operator'),
    supervisor: await token('supervisor', 'supervisor'),
    admin: await token('admin', 'admin'),
  };
  const request = async (method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    const response = await fetch(`${api.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // Not every answer is JSON (CSV exports, /metrics); `text` has it.
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  return { api, namespace, logs, redis: client, tokens, token, request };
}

/** One API for the tests of a file, stopped after them. */
export function testApi(settings: ApiSettings = {}): () => TestApi {
  let running: TestApi | undefined;
  beforeAll(async () => {
    running = await startTestApi(settings);
  });
  afterAll(async () => {
    await running?.api.stop();
    await running?.redis.quit();
  });
  return () => {
    if (!running) throw new Error('the test API is not started yet (use it inside a test)');
    return running;
  };
}
