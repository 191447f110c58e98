import { describe, expect, it } from 'vitest';
import { startAsterisk } from '../helpers/asterisk-sandbox.js';
import { redisUrl } from '../helpers/redis.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { placeCall } from '../helpers/sipp.js';

// This file is a unit test: the helpers must refuse it every Redis and every Asterisk.
describe('a unit test file', () => {
  it('gets no Redis: neither the run-wide one nor one of its own', async () => {
    expect(() => redisUrl()).toThrow('uses no Redis');
    await expect(startRedisServer()).rejects.toThrow('uses no Redis');
  });

  it('gets no Asterisk and places no SIP call', async () => {
    await expect(startAsterisk()).rejects.toThrow('uses no Asterisk');
    await expect(placeCall({ target: '127.0.0.1:5060', from: '+4930111', to: '+4930222' })).rejects.toThrow('uses no Asterisk');
  });
});
