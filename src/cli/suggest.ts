/**
 * "Did you mean …?" for names people type (lists): the existing names closest to a
 * mistyped one, by edits (insert, delete, substitute, swap two neighbours).
 */

/** Suggestions shown at most, so a short name among many lists does not list them all. */
const MAX_SUGGESTIONS = 3;

/** Edits that still read as a typo of the name rather than another word: a third of its length, at least 1. */
function typoDistance(name: string): number {
  return Math.max(1, Math.floor(name.length / 3));
}

/** Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters. */
export function editDistance(a: string, b: string): number {
  let twoBack: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(cell(previous, j) + 1, cell(current, j - 1) + 1, cell(previous, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, cell(twoBack, j - 2) + 1);
      current.push(best);
    }
    twoBack = previous;
    previous = current;
  }
  return cell(previous, b.length);
}

function cell(row: number[], j: number): number {
  return row[j] ?? Number.POSITIVE_INFINITY;
}

/** The candidates closest to `name` within a typo's distance, nearest first (ties in the order given). */
export function similarNames(name: string, candidates: readonly string[]): string[] {
  const limit = typoDistance(name);
  const near = candidates
    .filter((candidate) => candidate !== name)
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .filter(({ distance }) => distance <= limit);
  const nearest = Math.min(...near.map(({ distance }) => distance));
  return near.filter(({ distance }) => distance === nearest).slice(0, MAX_SUGGESTIONS).map(({ candidate }) => candidate);
}

/** ` (did you mean a or b?)`, or '' when no candidate is close. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const similar = similarNames(name, candidates);
  if (similar.length === 0) return '';
  const last = similar.pop() as string;
  return ` (did you mean ${similar.length === 0 ? last : `${similar.join(', ')} or ${last}`}?)`;
}
