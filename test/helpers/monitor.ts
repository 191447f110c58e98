import type { Redis } from 'ioredis';
import { testRedis } from './redis.js';

export interface ReceivedCommand {
  command: string;
  args: string[];
}

/**
 * What Redis received from `client`'s connection while `work` ran, as MONITOR reports
 * it (other tests share the server, so only that connection counts; with
 * `everyConnection`, from any, for code that opens a connection of its own: the caller
 * then picks its own commands by their keys). Ends with an ECHO on the client and waits
 * for it, so nothing `work` sent and was answered is missed.
 */
export async function receivedDuring(client: Redis, work: () => Promise<unknown>, everyConnection = false): Promise<ReceivedCommand[]> {
  const monitorClient = testRedis();
  try {
    const monitor = await monitorClient.monitor();
    const seen: (ReceivedCommand & { source: string })[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const [command = '', ...rest] = args;
      seen.push({ command: command.toLowerCase(), args: rest, source });
    });
    const source = `${client.stream.localAddress}:${client.stream.localPort}`;
    const marker = `end-${Math.random()}`;
    await work();
    await client.echo(marker);
    while (!seen.some((r) => r.command === 'echo' && r.args[0] === marker && r.source === source)) await new Promise((resolve) => setImmediate(resolve));
    monitor.disconnect();
    return seen.filter((r) => (everyConnection || r.source === source) && !(r.command === 'echo' && r.args[0] === marker)).map(({ command, args }) => ({ command, args }));
  } finally {
    monitorClient.disconnect();
  }
}
