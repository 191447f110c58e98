import { connect, type Socket } from 'node:net';

/** Asterisk's side of one FastAGI session, scripted: the environment, then a reply per command. */
export class FakeAsterisk {
  readonly commands: string[] = [];
  private answeredCount = 0;
  private buffer = '';
  private waiting: ((line: string) => void) | undefined;
  readonly ended: Promise<void>;
  /** the server ended its side (what Asterisk reads as the script done) */
  readonly serverEnded: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline = this.buffer.indexOf('\n');
      while (newline >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.commands.push(line);
        this.waiting?.(line);
        newline = this.buffer.indexOf('\n');
      }
    });
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    this.serverEnded = new Promise((resolve) => socket.once('end', () => resolve()));
  }

  /** `halfOpen`: answers can still be written once the server ended its side, as Asterisk's can. */
  static async session(port: number, env: Record<string, string>, halfOpen = false): Promise<FakeAsterisk> {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: halfOpen });
    await new Promise((resolve) => socket.once('connect', resolve));
    const asterisk = new FakeAsterisk(socket);
    socket.write(`${Object.entries(env).map(([name, value]) => `agi_${name}: ${value}\n`).join('')}\n`);
    return asterisk;
  }

  /** Answers the next command (or the one already received) with `reply`. */
  async answer(reply: string): Promise<string> {
    const command = await new Promise<string>((resolve) => {
      const answered = this.commands.length - this.answeredCount;
      if (answered > 0) resolve(this.commands[this.answeredCount] as string);
      else this.waiting = resolve;
    });
    this.waiting = undefined;
    this.answeredCount += 1;
    this.socket.write(reply);
    return command;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  end(): void {
    this.socket.end();
  }
}
