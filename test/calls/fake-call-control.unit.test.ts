import { callControlContract } from './call-control-contract.js';
import { FakeCallControl } from './fake-call-control.js';

const LONG = 'sound:fake-long';
const ANSWERING = 'Local/answer@cg-contract';
const UNANSWERED = 'Local/ring@cg-contract';

callControlContract('the fake used by unit tests', async () => {
  const calls = new FakeCallControl({ [LONG]: 60_000 });
  calls.farEnds.set(ANSWERING, { kind: 'answer' });
  calls.farEnds.set(UNANSWERED, { kind: 'ring' });
  return {
    events: calls,
    answeringEndpoint: ANSWERING,
    unansweredEndpoint: UNANSWERED,
    refusedEndpoint: 'PJSIP/+4930123456@no-such-endpoint',
    calls,
    newChannel: async () => calls.addChannel(),
    farEndHangup: async (channelId) => calls.farEndHangup(channelId),
    // The fake's channels leave Stasis within the call that makes them leave.
    leftStasis: async () => undefined,
    shortMedia: 'sound:beep',
    longMedia: LONG,
    parking: { context: 'queues', extension: 'support', priority: 1 },
    close: async () => undefined,
  };
});
