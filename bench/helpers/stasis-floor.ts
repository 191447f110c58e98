import { Agent, request } from 'node:http';
import WebSocket from 'ws';

/**
 * The floor of any Stasis app (issue 16's "30-line ARI client"): on each StasisStart it
 * POSTs `continue` over a keep-alive connection, and does nothing else (no Redis, no
 * decision). What a Stasis path costs above this is the app's own work.
 */
export interface StasisFloor {
  app: string;
  stop(): Promise<void>;
}

export async function startStasisFloor(target: { ariUrl: string; ariUser: string; ariPassword: string }, app: string): Promise<StasisFloor> {
  const url = new URL(target.ariUrl);
  const auth = `${target.ariUser}:${target.ariPassword}`;
  const agent = new Agent({ keepAlive: true });
  const socket = new WebSocket(`ws://${url.host}/ari/events?app=${encodeURIComponent(app)}&api_key=${encodeURIComponent(auth)}`);
  socket.on('message', (data) => {
    const event = JSON.parse(String(data)) as { type: string; channel?: { id: string } };
    if (event.type !== 'StasisStart' || !event.channel) return;
    const post = request(
      { host: url.hostname, port: url.port, method: 'POST', path: `/ari/channels/${event.channel.id}/continue`, agent, auth },
      (response) => response.resume(),
    );
    post.on('error', (error) => console.error(`stasis floor: continue failed: ${error.message}`));
    post.end();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    app,
    stop: async () => {
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.close();
      await closed;
      agent.destroy();
    },
  };
}
