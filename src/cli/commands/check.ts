import type { Command } from 'commander';
import { checkNumber, type CheckVerdict } from '../../screening/check-number.js';
import type { CliIo } from '../context.js';
import { EXIT_BLOCKED, EXIT_HIDDEN, EXIT_MALFORMED, EXIT_OK, ExitWith } from '../../front-door/errors.js';
import { describeExpiry, entryJson, fields, isoTime } from '../../front-door/format.js';
import { extensionNote, lacksRegion, REGION_HINT } from '../../front-door/number-input.js';
import { listsOption, regionOption } from '../options.js';
import { withContext } from '../with-context.js';

interface CheckOptions {
  list: string[];
  region?: string;
}

const EXIT_CODES: Record<CheckVerdict, number> = {
  clear: EXIT_OK,
  blocked: EXIT_BLOCKED,
  hidden: EXIT_HIDDEN,
  malformed: EXIT_MALFORMED,
};

export function registerCheck(program: Command, io: CliIo): void {
  program
    .command('check')
    .description('check one number against lists, as a call would be screened')
    .argument('<number>', 'the number, as a caller or callee would present it')
    .addOption(listsOption('lists to check, in order: a,b,c (the first match is shown)'))
    .addOption(regionOption())
    .addHelpText(
      'after',
      `
The exit code is the verdict, for scripts:
  0  clear      the number is on none of the lists (disabled lists match nothing)
  10 blocked    on a list; the list, entry, expiry and reason are printed
  11 hidden     no number presented (anonymous, restricted, empty...)
  12 malformed  not a possible phone number; the reason is printed
  1, 2, 3       no such list or a list that lost entries (see lists), bad option,
                Redis unreachable

Examples:
  $ callguard check +4930123456 --list dnc,harassment
  $ callguard check 030123456 --list dnc --region DE
  $ if callguard check "$NUMBER" --list dnc >/dev/null; then echo "ok to dial"; fi

JSON: {"input","verdict","number":E.164|null,"lists":[...],"detail":string|null,
       "match":{"list","member","kind","expiresAt","reason","by","addedAt"}|null}`,
    )
    .action(async (input: string, options: CheckOptions, command: Command) => {
      const verdict = await withContext(command, io, async (context) => {
        const { verdict, number, detail, match } = await checkNumber(
          async (e164, lists) => (await context.store()).check(e164, lists),
          input,
          options.list,
          options.region,
        );
        const now = Date.now();
        context.print(
          fields([
            ['verdict', verdict],
            ['number', number ?? undefined],
            ['why', detail ?? undefined],
            ['hint', detail !== null && lacksRegion(detail, options.region) ? REGION_HINT : undefined],
            ['note', number === null ? undefined : extensionNote(input, number)],
            ['checked', options.list.join(', ')],
            ['list', match?.list],
            ['entry', match ? `${match.member} (${match.kind})` : undefined],
            ['expires', match ? describeExpiry(match.expiresAt, now) : undefined],
            ['reason', match?.reason],
            ['by', match?.by],
            ['added', isoTime(match?.addedAt) ?? undefined],
          ]),
          { input, verdict, number, lists: options.list, detail, match: match ? entryJson(match) : null },
        );
        return verdict;
      });
      if (EXIT_CODES[verdict] !== EXIT_OK) throw new ExitWith(EXIT_CODES[verdict]);
    });
}
