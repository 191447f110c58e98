/**
 * The numbers bench:check asks, shared with bench:check-cost so that the instructions
 * counted there are those of the checks timed here.
 */
export interface CheckMix {
  lists: number;
  numbersPerList: number;
  timedPerList: number;
  /** the lists holding prefixes */
  prefixLists: readonly number[];
  prefixesPerList: number;
}

/** The n-th plain number of list l: +1 20<l> <n, 7 digits>, 12 characters like a US number. */
export function plainNumber(list: number, n: number): string {
  return `+120${list}${String(n).padStart(7, '0')}`;
}

/** The i-th timed entry of list l. */
export function timedNumber(list: number, i: number): string {
  return `+4916${list}${String(i).padStart(7, '0')}`;
}

/** The i-th prefix entry of list l (a member, with its '*'). */
export function prefixEntry(list: number, i: number): string {
  return `+1900${list}${String(i).padStart(3, '0')}*`;
}

/** Half hits (plain, timed and prefix, in every list) and half misses. */
export function checkedNumber(mix: CheckMix, i: number): string {
  const l = i % mix.lists;
  const n = (i * 7919) % mix.numbersPerList;
  switch (i % 8) {
    case 0:
    case 1:
      return plainNumber(l, n);
    case 2:
      return timedNumber(l, n % mix.timedPerList);
    case 3:
      return `${prefixEntry(mix.prefixLists[i % mix.prefixLists.length] as number, n % mix.prefixesPerList).slice(0, -1)}5550`;
    default:
      return `+121${l}${String(n).padStart(7, '0')}`;
  }
}
