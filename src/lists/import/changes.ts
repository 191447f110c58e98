import type { RedisClient } from '../../redis/connect.js';
import { DataParts } from '../source-date.js';
import { ListStore } from '../store.js';
import { importList, regionCheckedSource, type ImportRequest } from './run.js';
import type { ImportSource } from './source.js';
import type { ImportSummary } from './summary.js';

export interface ChangesSummary {
  list: string;
  /** run first: numbers that left the registry */
  deletions: ImportSummary;
  /** run second, only when the deletions were read to their end */
  additions: ImportSummary | null;
}

/**
 * A registry's change list: the numbers that left it and those that joined it since the
 * last download, applied in one run and audited as one `changes` event. Deletions go
 * first, so a number in both files ends up listed: for a do-not-call list the safe side.
 * The change list dates the parts of the list (area codes) either file names; one that
 * names neither keeps its date (source-date.ts): callguard cannot tell a change list
 * with no change in an area code from one that does not cover it, and older is the safe
 * side. When the deletions file stops (broken, interrupted) the additions are not read: the
 * command can be run again as it is (both halves are idempotent). A file that needs a
 * region (NeedsRegionError) refuses the run whole: the first rows of both files are
 * looked at before the deletions write anything.
 */
export async function importChanges(
  redis: RedisClient,
  namespace: string,
  request: Omit<ImportRequest, 'source' | 'replace' | 'operation'>,
  files: { additions: ImportSource; deletions: ImportSource },
): Promise<ChangesSummary> {
  const common = { ...request, replace: false, audit: false };
  const now = request.now ?? Date.now();
  const checked = (source: ImportSource) => regionCheckedSource(source, request, now, 'nothing was changed');
  let deletionsFile: ImportSource;
  let additionsFile: ImportSource;
  try {
    deletionsFile = await checked(files.deletions);
    additionsFile = await checked(files.additions);
  } catch (error) {
    files.deletions.close();
    files.additions.close();
    throw error;
  }
  // Dated by the deletions, a list whose additions then broke off would read as fresh without the numbers that joined the registry.
  // The two files are one change list: an area code only the deletions name is brought up to date by it too.
  const dataParts = new DataParts();
  const deletions = await importList(redis, namespace, { ...common, source: deletionsFile, operation: 'delete', recordDate: false, dataParts });
  let additions: ImportSummary | null = null;
  if (deletions.status === 'done') additions = await importList(redis, namespace, { ...common, source: additionsFile, operation: 'add', recordDate: true, dataParts });
  else additionsFile.close();
  if (!request.dryRun) {
    await new ListStore(redis, namespace).recordAudit(request.list, 'changes', request.actor, {
      additions: files.additions.name,
      deletions: files.deletions.name,
      status: additions?.status ?? deletions.status,
      removed: String(deletions.imported),
      notListed: String(deletions.duplicates),
      imported: String(additions?.imported ?? 0),
      duplicates: String(additions?.duplicates ?? 0),
      rejected: String(deletions.rejected + (additions?.rejected ?? 0)),
      ...(request.country ? { country: request.country.toUpperCase() } : {}),
      ...(additions && additions.dataDate !== null ? { dataDate: new Date(additions.dataDate).toISOString() } : {}),
    });
  }
  return { list: request.list, deletions, additions };
}
