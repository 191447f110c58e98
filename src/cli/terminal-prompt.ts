import { createInterface } from 'node:readline';

/**
 * Asks one question on the terminal (the question on stderr, so stdout stays clean for
 * results) and resolves with the answer; Ctrl-C or Ctrl-D answer '' (no).
 */
export function askOnTerminal(question: string): Promise<string> {
  return new Promise((resolve) => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    let answer: string | undefined;
    terminal.once('SIGINT', () => terminal.close());
    terminal.once('close', () => {
      // Ended without an answer: end the question's line, so what follows starts on its own.
      if (answer === undefined) process.stderr.write('\n');
      resolve(answer ?? '');
    });
    terminal.question(question, (given) => {
      answer = given;
      terminal.close();
    });
  });
}
