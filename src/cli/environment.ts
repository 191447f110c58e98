import { API_SETTINGS } from '../api/config.js';
import { SETTINGS, SHARED_SETTINGS, type SettingName } from '../config.js';
import { REDIS_TARGET_SETTINGS } from '../redis/target.js';

/** The global options every command takes: which Redis, which namespace, whether to write on an evicting Redis. */
export const GLOBAL_SETTINGS = {
  redisUrl: REDIS_TARGET_SETTINGS.url,
  redisSentinels: REDIS_TARGET_SETTINGS.sentinels,
  redisSentinelName: REDIS_TARGET_SETTINGS.sentinelName,
  redisSentinelPassword: REDIS_TARGET_SETTINGS.sentinelPassword,
  redisCluster: REDIS_TARGET_SETTINGS.cluster,
  redisWaitReplicas: REDIS_TARGET_SETTINGS.waitReplicas,
  namespace: SHARED_SETTINGS.namespace,
  allowEviction: SHARED_SETTINGS.allowEviction,
} as const satisfies Record<string, SettingName>;

export interface CommandEnvironment {
  /** the commands, as typed after `callguard` ('' for the global options) */
  commands: string[];
  settings: Readonly<Record<string, SettingName>>;
}

/**
 * The environment variables of every command, one table: config parsing reads these
 * names, `--help` lists them, and the docs are tested against them
 * (test/docs/environment.unit.test.ts), so a variable cannot go missing from either.
 */
export const COMMAND_ENVIRONMENT: readonly CommandEnvironment[] = [
  { commands: [''], settings: GLOBAL_SETTINGS },
  { commands: ['add', 'cancel', 'check', 'show', 'import', 'call'], settings: { region: SHARED_SETTINGS.region } },
  {
    commands: ['campaign set'],
    settings: { ariUrl: SETTINGS.ariUrl, ariUsername: SETTINGS.ariUsername, ariPassword: SETTINGS.ariPassword },
  },
  { commands: ['serve'], settings: SETTINGS },
  { commands: ['api'], settings: API_SETTINGS },
];

/** Help text is wrapped here, as the rest of callguard's help is. */
const HELP_WIDTH = 88;

/** The "Environment: …" paragraph of a command's help, every variable of its table in order. */
export function environmentHelp(settings: Readonly<Record<string, SettingName>>, after = '(a flag wins over its variable).'): string {
  const words = ['Environment:', ...Object.values(settings).map(({ env }, index, all) => (index < all.length - 1 ? `${env},` : env)), after];
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > HELP_WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line].join('\n');
}
