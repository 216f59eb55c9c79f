import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface CapturedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  messageId: string | undefined;
  headers: Map<string, unknown>;
}

/** A real SMTP server in the test process: mail crosses SMTP and is parsed as a client would see it. */
export class SmtpCapture {
  readonly messages: CapturedMail[] = [];
  /** While > 0, the server answers the next N messages with a transient 451. */
  failNext = 0;
  private server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        if (this.failNext > 0) {
          this.failNext -= 1;
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error('Temporary failure, try again'), { responseCode: 451 })));
          return;
        }
        simpleParser(stream)
          .then((m) => {
            const to = Array.isArray(m.to) ? m.to.flatMap((a) => a.value) : (m.to?.value ?? []);
            this.messages.push({
              to: to.map((a) => a.address ?? ''),
              from: m.from?.text ?? '',
              subject: m.subject ?? '',
              text: m.text ?? '',
              messageId: m.messageId,
              headers: m.headers,
            });
            callback();
          })
          .catch(callback);
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  to(address: string): CapturedMail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  async waitFor(pred: (m: CapturedMail) => boolean, timeoutMs = 20_000): Promise<CapturedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`No matching email within ${timeoutMs} ms; got: ${this.messages.map((m) => `${m.to.join(',')}: ${m.subject}`).join(' | ')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
