import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AriRest, AriTransportError } from '../../src/calls/ari-rest.js';

/** A loopback HTTP server standing in for Asterisk's, answering as `handle` says. */
async function listen(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('ARI REST requests', () => {
  let server: Server | undefined;
  let rest: AriRest | undefined;

  afterEach(async () => {
    rest?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    rest = undefined;
  });

  it("keep Asterisk's HTTP status and message on an error answer", async () => {
    const started = await listen((_, response) => {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Channel not found' }));
    });
    server = started.server;
    rest = new AriRest({ url: started.url, username: 'u', password: 'p' });
    expect(await rest.request('POST', '/channels/gone/continue')).toMatchObject({ status: 404, message: 'Channel not found' });
  });

  it('that get no answer within the timeout fail as a transport error saying so', async () => {
    const started = await listen(() => undefined);
    server = started.server;
    rest = new AriRest({ url: started.url, username: 'u', password: 'p', timeoutMs: 50 });
    const failure = await rest.request('GET', '/asterisk/info').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AriTransportError);
    expect((failure as AriTransportError).detail).toBe('no answer within 50 ms');
  });

  it('about one channel, made at once, reach the server on one connection in the order made', async () => {
    const seen: { path: string; port: number }[] = [];
    const started = await listen((request, response) => {
      seen.push({ path: request.url ?? '', port: request.socket.remotePort ?? 0 });
      response.writeHead(204).end();
    });
    server = started.server;
    rest = new AriRest({ url: started.url, username: 'u', password: 'p' });
    const answers = await Promise.all([
      rest.request('POST', '/channels/c1/variable', { variable: 'A', value: '1' }),
      rest.request('POST', '/channels/c1/continue'),
      rest.request('DELETE', '/channels/c1', { reason_code: 16 }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204]);
    expect(seen.map((request) => request.path)).toEqual([
      '/ari/channels/c1/variable?variable=A&value=1',
      '/ari/channels/c1/continue',
      '/ari/channels/c1?reason_code=16',
    ]);
    expect(new Set(seen.map((request) => request.port)).size).toBe(1);
  });
});
