/** Polls `probe` every `pollMs` until it is true; past `timeoutMs`, throws naming `what`. State, not time, decides. */
export async function until(probe: () => Promise<boolean>, what: string, options: { timeoutMs: number; pollMs: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
