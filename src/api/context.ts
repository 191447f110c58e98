import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RedisClient } from '../redis/connect.js';
import type { SessionStore } from '../access/sessions.js';
import type { TokenStore } from '../access/tokens.js';
import type { DialQueue } from '../dialer/queue.js';
import type { GatedListStore } from '../lists/migrate.js';
import type { Logger } from '../log.js';
import type { CampaignStore } from '../screening/campaigns.js';
import type { RouteStore } from '../screening/routes.js';
import type { ApiConfig } from './config.js';
import type { TokenVerifier } from './auth.js';
import type { CallFeed } from './call-feed.js';
import type { ImportJobs } from './jobs.js';
import type { ScrubJobs } from './scrub-jobs.js';
import type { ApiMetrics } from './metrics.js';

/** The Fastify instance routes are added to: TypeBox schemas type the handlers' input. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What route handlers reach: the same stores the CLI uses, built once for the process. */
export interface ApiContext {
  config: ApiConfig;
  namespace: string;
  /** commands of requests (checks, adds...) */
  redis: RedisClient;
  /** imports and exports, so a bulk pipeline never queues in front of a check */
  bulkRedis: RedisClient;
  /** checks through it wait for the start's list format migration (migrate.ts) */
  lists: GatedListStore;
  routes: RouteStore;
  campaigns: CampaignStore;
  dial: DialQueue;
  tokens: TokenStore;
  verifier: TokenVerifier;
  /** console sign-ins (session cookies) */
  sessions: SessionStore;
  /** new screened calls, for the console's live feed */
  feed: CallFeed;
  /** where the console's bundled files are (index.html and assets); none: no console served */
  consoleDir: string | undefined;
  jobs: ImportJobs;
  scrubs: ScrubJobs;
  metrics: ApiMetrics;
  log: Logger;
}
