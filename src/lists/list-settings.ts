import type { RedisClient } from '../redis/connect.js';
import { globalKeys, listKeys } from './keys.js';
import { assertListName, noSuchList } from './names.js';
import { defineListScripts } from './scripts.js';
import { ListError, type Actor } from './types.js';

/**
 * A list's settings beside its entries (info fields, keys.ts): whether it records consent,
 * and how long its audit stream is kept. Germany's §7a UWG wants documented consent kept
 * five years after each use, so a consent list keeps its audit forever unless told a
 * retention of at least that.
 */
export interface ListSettings {
  consent: boolean;
  /** ms; undefined: forever */
  auditRetentionMs?: number;
}

const YEAR_MS = 365.25 * 86_400_000;
export const MIN_CONSENT_AUDIT_RETENTION_MS = 5 * YEAR_MS;
/** The shortest retention any list takes: shorter would lose who listed a number before anyone looked. */
export const MIN_AUDIT_RETENTION_MS = 30 * 86_400_000;

/** What a change sets; absent fields stay, a retention of null is forever. */
export interface ListSettingChanges {
  consent?: boolean;
  auditRetentionMs?: number | null;
}

export async function readListSettings(redis: RedisClient, namespace: string, list: string): Promise<ListSettings> {
  assertListName(list);
  const [created, consent, retention] = await redis.hmget(listKeys(namespace, list).info, 'created', 'consent', 'auditRetention');
  if (created === null) throw noSuchList(list);
  return settingsOf(consent, retention);
}

export function settingsOf(consent: string | null | undefined, retention: string | null | undefined): ListSettings {
  return { consent: consent === '1', ...(retention === null || retention === undefined ? {} : { auditRetentionMs: Number(retention) }) };
}

/** Changes a list's settings (audited as `configure`); refuses a consent list keeping its audit less than five years. */
export async function configureList(
  redis: RedisClient,
  namespace: string,
  list: string,
  changes: ListSettingChanges,
  actor: Actor,
): Promise<ListSettings & { changed: number }> {
  const current = await readListSettings(redis, namespace, list);
  const next: ListSettings = { consent: changes.consent ?? current.consent };
  const retention = changes.auditRetentionMs === undefined ? current.auditRetentionMs : changes.auditRetentionMs ?? undefined;
  if (retention !== undefined) next.auditRetentionMs = retention;
  if (retention !== undefined && retention < MIN_AUDIT_RETENTION_MS) {
    throw new ListError(`list ${list}: an audit is kept at least 30 days`, 'invalid-value', list);
  }
  if (next.consent && retention !== undefined && retention < MIN_CONSENT_AUDIT_RETENTION_MS) {
    throw new ListError(
      `list ${list} records consent: its audit is kept at least 5 years (the proof of consent must outlive each call by that long); give 5y or more, or forever`,
      'invalid-value',
      list,
    );
  }
  defineListScripts(redis);
  const keys = listKeys(namespace, list);
  const changed = await redis.callguardListConfigure(
    keys.info, keys.audit, Date.now(), actor.by, actor.reason ?? '',
    'consent', next.consent ? '1' : '', 'auditRetention', retention === undefined ? '' : String(retention),
  );
  if (changed === -1) throw noSuchList(list);
  return { ...next, changed };
}

/** Whether adding to `list` needs a reference (it records consent), read from its info. */
export async function needsReference(redis: RedisClient, namespace: string, list: string): Promise<boolean> {
  return (await redis.hget(listKeys(namespace, list).info, 'consent')) === '1';
}

/**
 * Trims the audit streams of the lists that keep theirs for a time (XTRIM MINID, about:
 * Redis trims whole nodes); lists without a retention keep everything. Returns the lists
 * trimmed, with how many events went.
 */
export async function trimAudits(redis: RedisClient, namespace: string, now: number): Promise<{ list: string; trimmed: number }[]> {
  const names = (await redis.smembers(globalKeys(namespace).lists)).sort();
  const trimmed: { list: string; trimmed: number }[] = [];
  for (const list of names) {
    const keys = listKeys(namespace, list);
    const [consent, retention] = await redis.hmget(keys.info, 'consent', 'auditRetention');
    const settings = settingsOf(consent, retention);
    if (settings.auditRetentionMs === undefined) continue;
    // A consent list whose retention was written by hand below the minimum still keeps the minimum.
    const keep = settings.consent ? Math.max(settings.auditRetentionMs, MIN_CONSENT_AUDIT_RETENTION_MS) : settings.auditRetentionMs;
    const removed = await redis.xtrim(keys.audit, 'MINID', '~', String(Math.max(0, Math.floor(now - keep))));
    if (removed > 0) trimmed.push({ list, trimmed: removed });
  }
  return trimmed;
}
