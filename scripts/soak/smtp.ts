/**
 * The soak's SMTP server: a real SMTP listener in the soak process that counts every message by its
 * `X-Retail-Ops-Key` header (the exactly-once key the senders put on each email), and that can fail
 * for a while: `421` at the greeting (up but refusing), or not listening at all (ECONNREFUSED).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export class SoakSmtp {
  /** Messages received per X-Retail-Ops-Key (a key seen twice is a duplicate). */
  readonly byKey = new Map<string, number>();
  /** Messages without the key header (none expected). */
  unkeyed = 0;
  received = 0;
  refusals = 0;
  refuseConnections = false;
  private listening = false;
  private server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 5 * 1024 * 1024,
      onConnect: (_session, callback) => {
        if (this.refuseConnections) {
          this.refusals++;
          return callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }));
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        // Only the header block is needed: read until the blank line, drain the rest.
        let head = '';
        let done = false;
        stream.on('data', (chunk: Buffer) => {
          if (done) return;
          head += chunk.toString('utf8');
          const end = head.search(/\r?\n\r?\n/);
          if (end >= 0) {
            head = head.slice(0, end);
            done = true;
          }
        });
        stream.on('end', () => {
          const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
          const m = /^x-retail-ops-key:\s*(.+)$/im.exec(unfolded);
          this.received++;
          if (m) {
            const key = m[1]!.trim();
            this.byKey.set(key, (this.byKey.get(key) ?? 0) + 1);
          } else {
            this.unkeyed++;
          }
          callback();
        });
      },
    });
    this.server.on('error', () => {
      /* a client that died mid-transaction (a killed worker): nothing to do */
    });
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    this.listening = true;
    return this;
  }

  /** Stops listening: new connections are refused by the OS; open ones finish. */
  down(): void {
    if (!this.listening) return;
    this.listening = false;
    this.server.server.close();
  }

  async up(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.server.listen(this.port, '127.0.0.1', () => {
        this.server.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
  }

  async stop(): Promise<void> {
    this.listening = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
