import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface CapturedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** The HTML part as received (false when the message has none). */
  html: string | false;
  replyTo: string | undefined;
  messageId: string | undefined;
  headers: Map<string, unknown>;
}

/** A real SMTP server in the test process: mail crosses SMTP and is parsed as a client would see it. */
export class SmtpCapture {
  readonly messages: CapturedMail[] = [];
  /** While > 0, the server answers the next N messages with a transient 451. */
  failNext = 0;
  /** While true, every connection is refused at the greeting with `421 Service not available` (the server is up but will not take mail). */
  refuseConnections = false;
  /** Recipients (exact addresses) refused for good at RCPT TO with a 550 (a hard bounce). */
  readonly rejectRecipients = new Set<string>();
  /**
   * While true (or true for the message), a message is received in full and captured, but the
   * 250 that tells the client it was taken is withheld (see heldReplies / releaseReplies): the
   * client is stuck mid-send.
   */
  holdReplies: boolean | ((mail: CapturedMail) => boolean) = false;
  /** Replies withheld while holdReplies was on, oldest first. */
  readonly heldReplies: CapturedMail[] = [];
  /** Connection errors (a client that died mid-transaction); recorded instead of crashing the test process. */
  readonly errors: Error[] = [];
  private pendingReplies: (() => void)[] = [];
  private server: SMTPServer;
  private listening = false;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onConnect: (_session, callback) => {
        if (this.refuseConnections) return callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }));
        callback();
      },
      // A pooled client keeps connections open between messages: while the server refuses (or is
      // down), a new transaction on one is refused as well (421), as a server shutting down or out
      // of service answers, so an outage looks the same to pooled and one-shot clients.
      onMailFrom: (_address, _session, callback) => {
        if (this.refuseConnections || !this.listening)
          return callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }));
        callback();
      },
      onRcptTo: (address, _session, callback) => {
        if (this.rejectRecipients.has(address.address)) return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        callback();
      },
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
              html: m.html ?? false,
              replyTo: m.replyTo?.text,
              messageId: m.messageId,
              headers: m.headers,
            });
            const mail = this.messages[this.messages.length - 1]!;
            if (this.holdReplies === true || (typeof this.holdReplies === 'function' && this.holdReplies(mail))) {
              this.heldReplies.push(mail);
              this.pendingReplies.push(() => callback());
              return;
            }
            callback();
          })
          .catch(callback);
      },
    });
    this.server.on('error', (err: Error) => {
      this.errors.push(err);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    this.listening = true;
    return this;
  }

  async stop(): Promise<void> {
    this.releaseReplies();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.listening = false;
  }

  /**
   * The server goes away: it stops listening, so a new connection is refused by the OS
   * (ECONNREFUSED). Connections already open finish the message they were carrying; a new one on
   * them is refused (421). up() brings it back on the same port.
   */
  down(): void {
    if (!this.listening) return;
    this.listening = false;
    // Stops accepting at once; the callback would wait for open connections to end.
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

  /**
   * Cuts every open connection at once, with no reply (as if the server crashed mid-conversation);
   * withheld replies are dropped with them. The server goes on listening.
   */
  dropConnections(): void {
    const connections = (this.server as unknown as { connections: Set<{ _socket?: { destroy(): void } }> }).connections;
    for (const c of connections) c._socket?.destroy();
    this.pendingReplies = [];
  }

  /** Sends the withheld replies (to clients still there); call after turning holdReplies off. */
  releaseReplies(): void {
    const pending = this.pendingReplies;
    this.pendingReplies = [];
    for (const reply of pending) reply();
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
