import { callControlContract } from './call-control-contract.js';
import { FakeCallControl } from './fake-call-control.js';

const LONG = 'sound:fake-long';

callControlContract('the fake used by unit tests', async () => {
  const calls = new FakeCallControl({ [LONG]: 60_000 });
  return {
    calls,
    newChannel: async () => calls.addChannel(),
    farEndHangup: async (channelId) => calls.farEndHangup(channelId),
    shortMedia: 'sound:beep',
    longMedia: LONG,
    parking: { context: 'queues', extension: 'support', priority: 1 },
    close: async () => undefined,
  };
});
