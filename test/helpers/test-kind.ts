/**
 * The three kinds of test file, told apart by name and folder (vitest.config.ts):
 * `*.unit.test.ts` use neither Redis nor Asterisk; files under test/e2e/ and
 * `*.e2e.test.ts` use Asterisk and sipp; every other `*.test.ts` is an integration test
 * with a real Redis. Each project sets CALLGUARD_TEST_KIND, and the helpers that start
 * Redis or Asterisk refuse a kind that must not use them, so a file cannot be quicker
 * to run than its name says.
 */
export type TestKind = 'unit' | 'int' | 'e2e';

const KIND_NAMES: Record<TestKind, string> = {
  unit: 'a unit test (*.unit.test.ts)',
  int: 'an integration test',
  e2e: 'an end-to-end test',
};

function currentKind(): TestKind | undefined {
  const kind = process.env.CALLGUARD_TEST_KIND;
  return kind === 'unit' || kind === 'int' || kind === 'e2e' ? kind : undefined;
}

/** Throws when the running file's kind may not use Redis: unit tests get none. */
export function assertMayUseRedis(): void {
  if (currentKind() === 'unit') {
    throw new Error(`${KIND_NAMES.unit} uses no Redis: name the file *.test.ts (an integration test) instead`);
  }
}

/** Throws when the running file's kind may not use Asterisk or sipp: only end-to-end tests do. */
export function assertMayUseAsterisk(): void {
  const kind = currentKind();
  if (kind === 'unit' || kind === 'int') {
    throw new Error(`${KIND_NAMES[kind]} uses no Asterisk or sipp: move the file to test/e2e/ or name it *.e2e.test.ts`);
  }
}
