/**
 * The endpoint a channel belongs to, from its name: Asterisk names a channel
 * `<technology>/<endpoint>-<sequence>` (`PJSIP/agent-1-0000001a`; a Local channel adds
 * `;1` or `;2`), so the endpoint is the name without the last `-<hex>` part. The
 * feature permissions and the `by` of what an agent lists are this endpoint.
 */
export function endpointOfChannel(channelName: string): string {
  const match = /^(.+\/.+)-[0-9a-f]+(?:;\d)?$/i.exec(channelName.trim());
  return match?.[1] ?? channelName.trim();
}
