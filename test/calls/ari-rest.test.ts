import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ARI_MAX_CONNECTIONS, AriRest, AriTransportError } from '../../src/calls/ari-rest.js';

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
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
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

  it('never send an originate twice when the connection it was to go on closes', async () => {
    // A raw server, to see requests as they arrive on each socket (node:http answers
    // pipelined requests one at a time). It holds every channel request until one of each
    // connection has arrived, and drops a socket that carries an originate behind a held
    // request: a pipelined originate is sent again on another connection.
    const held: Socket[] = [];
    const unanswered = new Map<Socket, number>();
    let originates = 0;
    const raw = createTcpServer((socket) => {
      let buffered = '';
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => {
        buffered += chunk.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
          const requestLine = buffered.slice(0, buffered.indexOf('\r\n'));
          buffered = buffered.slice(end + 4);
          if (!requestLine.startsWith('POST /ari/channels?')) {
            unanswered.set(socket, (unanswered.get(socket) ?? 0) + 1);
            held.push(socket);
            if (held.length === ARI_MAX_CONNECTIONS) {
              for (const waiting of held) if (!waiting.destroyed) waiting.write('HTTP/1.1 204 No Content\r\n\r\n');
              unanswered.clear();
            }
            continue;
          }
          originates += 1;
          if ((unanswered.get(socket) ?? 0) > 0) {
            socket.destroy();
            return;
          }
          socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
        }
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      rest = new AriRest({ url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, username: 'u', password: 'p' });
      const channelRequests = Array.from({ length: ARI_MAX_CONNECTIONS }, (_, index) =>
        rest?.request('POST', `/channels/c${index}/variable`, { variable: 'A', value: '1' }).catch((error: unknown) => error),
      );
      const originated = await rest.request('POST', '/channels', { endpoint: 'PJSIP/callee' });
      await Promise.all(channelRequests);
      expect(originated.status).toBe(200);
      expect(originates).toBe(1);
    } finally {
      rest?.close();
      rest = undefined;
      await new Promise((resolve) => raw.close(resolve));
    }
  });
});
