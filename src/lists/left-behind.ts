import { isDensePlanName, type DensePlanName } from './dense.js';
import { ListError } from './types.js';

/**
 * What a list's keys hold once its info is gone outside callguard (eviction, a DEL, a
 * failover): its other keys stay (keys.ts). A create over them adopts what the new list
 * reads (create-5.lua) and refuses the rest; `list rm --left-behind` removes them.
 */
export interface LeftBehind {
  /** members of `exact` */
  exact: number;
  /** of them, those of the dense plan asked for; undefined: too many to read, some taken to be */
  inPlan?: number | undefined;
  /** members of `timed`: timed entries and prefixes */
  timed: number;
  /** generations of bitmaps left, by id: an index naming blocks, or bitmaps found by their keys' names */
  generations: LeftGeneration[];
}

export interface LeftGeneration {
  gen: string;
  /** the plan its blocks' ids belong to; undefined when none does */
  plan: DensePlanName | undefined;
  /** blocks its index names */
  blocks: number;
  /** when its index is gone (blocks 0), the bitmaps found by their keys' names: no list can read them */
  unindexed: number;
}

/** Whether anything is left: a removal of what is left needs something to remove. */
export function holdsAnything(left: LeftBehind): boolean {
  return left.exact > 0 || left.timed > 0 || left.generations.length > 0;
}

/** create-5.lua's refusal: {-1, exact, in plan (-1 unknown), timed, then gen, plan, blocks, unindexed for each generation}. */
export function leftBehindOfReply(reply: unknown[]): LeftBehind {
  const [, exact, inPlan, timed, ...generations] = reply as [number, number, number, number, ...(string | number)[]];
  const left: LeftBehind = { exact, inPlan: inPlan === -1 ? undefined : inPlan, timed, generations: [] };
  for (let i = 0; i + 3 < generations.length; i += 4) {
    const plan = String(generations[i + 1]);
    left.generations.push({
      gen: String(generations[i]), plan: isDensePlanName(plan) ? plan : undefined, blocks: Number(generations[i + 2]), unindexed: Number(generations[i + 3]),
    });
  }
  return left;
}

/** What is left, in words: `3 numbers in its SET (2 of plan nanp), bitmaps of plan nanp (generation x, 12 blocks)`. */
export function describeLeftBehind(left: LeftBehind, asked?: DensePlanName): string {
  const parts: string[] = [];
  if (left.exact > 0) {
    const ofPlan = asked === undefined ? '' : ` (${left.inPlan === undefined ? 'some' : left.inPlan} of plan ${asked})`;
    parts.push(`${plural(left.exact, 'number', 'numbers')} in its SET${ofPlan}`);
  }
  if (left.timed > 0) parts.push(`${plural(left.timed, 'timed entry or prefix', 'timed entries and prefixes')}`);
  for (const { gen, plan, blocks, unindexed } of left.generations) {
    const held = blocks > 0 ? plural(blocks, 'block', 'blocks') : `${plural(unindexed, 'bitmap', 'bitmaps')} whose index is lost`;
    parts.push(`bitmaps of ${plan === undefined ? 'no known plan' : `plan ${plan}`} (generation ${gen}, ${held})`);
  }
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}

/**
 * The refusal of a create over what the list's lost info left behind, naming what is
 * left, why the new list would not read it (its numbers would read as not listed), and
 * the two ways out: create it as it was, or remove what is left knowingly.
 */
export function leftBehindRefusal(name: string, asked: DensePlanName | undefined, named: string | undefined, left: LeftBehind): LeftBehindError {
  const remove = `remove what is left knowingly with callguard list rm ${name} --left-behind`;
  const several = left.generations.length > 1;
  const unindexed = left.generations.find((generation) => generation.blocks === 0);
  let why: string;
  let keep: string | undefined;
  let creates: CreateAsItWas[] = [];
  if (asked !== undefined && left.exact > 0 && left.inPlan !== 0) {
    why = 'a dense list reads the numbers of its plan in its bitmaps only, so those in the SET would read as not listed';
    if (left.generations.length === 0) {
      creates = [{}];
      keep = `create it as it was, without --dense (callguard list create ${name})`;
    }
  } else {
    if (asked === undefined) why = 'an ordinary list reads no bitmaps, so their numbers would read as not listed';
    else if (unindexed !== undefined) why = `the index of generation ${unindexed.gen} is lost too, so no list reads its bitmaps${several ? ', and checks may have read them' : ''}`;
    else if (named !== undefined && !left.generations.some((generation) => generation.gen === named)) why = `generation ${named} is not among them`;
    else if (named === undefined && several) why = 'which generation checks read was in the lost info';
    else why = `a list of plan ${asked} reads no bitmaps of another plan, so their numbers would read as not listed`;
    creates = createsAsItWas(left);
    const command = createAsItWas(name, left);
    if (command !== undefined) {
      keep = several ? `create it reading one of them (${command}), then load it again with import --replace` : `create it as it was (${command})`;
    }
  }
  const ways = keep === undefined ? `${remove}, then create it` : `${keep}, or ${remove}`;
  return new LeftBehindError(
    `list ${name} was not created: its lost info left behind ${describeLeftBehind(left, asked)}, and ${why}; nothing was written. ${capitalized(ways)}`,
    name,
    creates,
  );
}

/** A create that reads what is left: its options beside the name (`POST /v1/lists`' body, `list create`'s flags). */
export interface CreateAsItWas {
  dense?: DensePlanName;
  generation?: string;
}

/**
 * A create refused over what is left, with the creates that would read it (none when
 * the removal is the only way out), so a front door can offer them without reading the
 * message's words.
 */
export class LeftBehindError extends ListError {
  constructor(
    message: string,
    list: string,
    readonly creates: readonly CreateAsItWas[],
  ) {
    super(message, 'left-behind', list);
  }
}

/**
 * The creates of a list that reads what is left: of the kind the keys were written by,
 * one for each generation when several are left; none for bitmaps of several plans or
 * none known, or when a generation's index is lost: its bitmaps cannot be read, checks
 * may have read them, and beside an adopted generation they would be read by no list.
 */
export function createsAsItWas(left: LeftBehind): CreateAsItWas[] {
  const plans = new Set(left.generations.map((generation) => generation.plan));
  const [plan] = plans;
  if (plans.size === 0) return [{}];
  if (plans.size > 1 || plan === undefined || left.generations.some((generation) => generation.blocks === 0)) return [];
  if (left.generations.length === 1) return [{ dense: plan }];
  return left.generations.map((generation) => ({ dense: plan, generation: generation.gen }));
}

/** createsAsItWas as the command to type: `--generation <id>` when several are left to choose from. */
export function createAsItWas(name: string, left: LeftBehind): string | undefined {
  const [first] = createsAsItWas(left);
  if (first === undefined) return undefined;
  return `callguard list create ${name}${first.dense === undefined ? '' : ` --dense ${first.dense}`}${first.generation === undefined ? '' : ' --generation <id>'}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
