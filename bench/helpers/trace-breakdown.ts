import { readFile } from 'node:fs/promises';
import type { TracedCall } from './call-trace.js';
import { percentile } from './percentile.js';

/** The steps of a traced Stasis call, each from one timestamp to the next. */
const STEPS: readonly { name: string; from: keyof TracedCall; to: keyof TracedCall }[] = [
  { name: 'frame in → JSON parsed', from: 'frame', to: 'parsed' },
  { name: 'parsed → decision starts', from: 'parsed', to: 'decisionStart' },
  { name: 'decision (route, check, decide)', from: 'decisionStart', to: 'decided' },
  { name: 'decided → variables POST written', from: 'decided', to: 'variablesWritten' },
  { name: 'variables written → answered', from: 'variablesWritten', to: 'variablesAnswered' },
  { name: 'decided → action written', from: 'decided', to: 'actionWritten' },
  { name: 'action written → answered', from: 'actionWritten', to: 'actionAnswered' },
  { name: 'decided → action answered (the requests after the decision)', from: 'decided', to: 'actionAnswered' },
  { name: 'frame in → action answered', from: 'frame', to: 'actionAnswered' },
];

export async function readTrace(file: string): Promise<TracedCall[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TracedCall);
}

/** One markdown table a phase: p50/p99 of each step, ms. */
export function printBreakdown(label: string, calls: readonly TracedCall[]): void {
  console.log('');
  console.log(`${label}: ${calls.length} calls traced (serve's own timestamps, performance.now())`);
  console.log('| step | p50 ms | p99 ms |');
  console.log('|---|---|---|');
  for (const step of STEPS) {
    const spans = calls
      .map((call) => {
        const from = call[step.from];
        const to = call[step.to];
        return typeof from === 'number' && typeof to === 'number' ? to - from : Number.NaN;
      })
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const cell = (p: number): string => (spans.length === 0 ? '—' : percentile(spans, p).toFixed(3));
    console.log(`| ${step.name} | ${cell(50)} | ${cell(99)} |`);
  }
}
