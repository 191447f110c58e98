import { createServer, type Socket } from 'node:net';

/**
 * The floor of any FastAGI server, as stasis-floor.ts is of a Stasis app: it reads the
 * environment Asterisk sends (up to its empty line) and closes the connection, the least
 * a server can do for AGI() to return and the dialplan to go on. No Redis, no decision, no
 * command: what the agi path costs above this is callguard's own work and its SET VARIABLE.
 */
export interface AgiFloor {
  /** host:port, for AGI(agi://<address>/...) */
  address: string;
  stop(): Promise<void>;
}

export async function startAgiFloor(host = '127.0.0.1'): Promise<AgiFloor> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let seen = '';
    let done = false;
    socket.on('data', (chunk) => {
      if (done) return;
      seen += chunk.toString('latin1');
      if (!seen.includes('\n\n')) return;
      done = true;
      socket.end();
    });
    socket.on('close', () => sockets.delete(socket));
    // A session Asterisk broke off (the caller hung up) ends here; AGI() has returned.
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const bound = server.address();
  if (bound === null || typeof bound === 'string') throw new Error('agi floor: no TCP address');
  return {
    address: `${host}:${bound.port}`,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
