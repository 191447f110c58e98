/** The part of ari-client 2.2.0 (which ships no types) that callguard uses. */
declare module 'ari-client' {
  import type { EventEmitter } from 'node:events';

  export interface Client extends EventEmitter {
    /** Opens the events websocket for the apps; resolves once it is open. */
    start(apps: string | string[]): Promise<void>;
    /** Closes the websocket on purpose (no reconnection). */
    stop(): void;
  }

  const ari: {
    /** Loads the API description from Asterisk; resolves to a client. */
    connect(url: string, user: string, password: string): Promise<Client>;
  };
  export default ari;
}
