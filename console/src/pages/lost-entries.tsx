import { href } from '../router.js';
import { Notice } from '../ui.js';

interface Health {
  name: string;
  size: number;
  lost: number;
  lostBlocks: number;
}

export const lostSomething = (list: Health) => list.lost > 0 || list.lostBlocks > 0;

/**
 * A list whose keys lost entries outside callguard (eviction, a DEL, a failover), as the
 * API counts them: its size alone would look healthy while its checks fail.
 */
export function LostEntries({ list, supervisor }: { list: Health; supervisor: boolean }) {
  if (!lostSomething(list)) return null;
  const blocks = `${list.lostBlocks.toLocaleString()} ${list.lostBlocks === 1 ? 'block' : 'blocks'} of its bitmaps gone`;
  const total = list.size + list.lost;
  const held = `Redis holds ${list.size.toLocaleString()} of its ${total.toLocaleString()} ${total === 1 ? 'entry' : 'entries'}`;
  const what = [list.lost > 0 ? held : '', list.lostBlocks > 0 ? blocks : ''].filter(Boolean).join('; ');
  // A lost count fails every check without a match; lost blocks only the checks of their numbers.
  const checks = list.lost > 0 ? 'A check that finds no match on it' : 'A check of a number in those blocks';
  return (
    <Notice>
      <strong>
        {list.name} lost entries outside callguard
      </strong>
      : {what}. {checks} answers “entries lost” (verdict <code>unavailable</code>: what the route or campaign does when the store does not answer), not “not listed”.{' '}
      {supervisor ? 'Load it again' : 'A supervisor can load it again'}{' '}
      {supervisor ? <a href={href('import', [], { list: list.name, replace: '1' })}>with an import that replaces the whole list</a> : 'with an import that replaces the whole list'}; or, if what is left is
      what you keep, accept it on the command line (the console does not recount): <code>callguard list recount {list.name} --reason "…"</code>.
    </Notice>
  );
}
