import nodemailer, { type Transporter } from 'nodemailer';
import { DEFAULT_SMTP_MAX_CONNECTIONS, type Config } from './config';

/** Messages one pooled connection carries before it is replaced (many relays cap a session near 100). */
const MESSAGES_PER_CONNECTION = 100;

/**
 * The SMTP transport of a process. Pooled unless SMTP_POOL is false (the default, also when the
 * setting is absent): at most SMTP_MAX_CONNECTIONS connections, kept open and reused, messages
 * beyond them queued. A pool reports failures as one connection per message does (the same codes,
 * responseCode and originalCode), plus two of its own that mean the message never went out:
 * 'Connection pool was closed' and, once a message's connection closed before it was sent several
 * times over, 'Reached maximum number of retries after connection was closed' (both ECONNECTION;
 * see smtpFailure in activities/campaign/sends.ts).
 */
export function createSmtpTransport(
  cfg: Pick<Config, 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_SECURE' | 'SMTP_USER' | 'SMTP_PASS'> & Partial<Pick<Config, 'SMTP_POOL' | 'SMTP_MAX_CONNECTIONS'>>,
): Transporter {
  const connection = {
    host: cfg.SMTP_HOST,
    port: cfg.SMTP_PORT,
    secure: cfg.SMTP_SECURE,
    auth: cfg.SMTP_USER ? { user: cfg.SMTP_USER, pass: cfg.SMTP_PASS ?? '' } : undefined,
    // Local catchers (MailDev, test servers) speak plain SMTP.
    ignoreTLS: !cfg.SMTP_SECURE && !cfg.SMTP_USER,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
  return (cfg.SMTP_POOL ?? true)
    ? nodemailer.createTransport({
        ...connection,
        pool: true,
        maxConnections: cfg.SMTP_MAX_CONNECTIONS ?? DEFAULT_SMTP_MAX_CONNECTIONS,
        maxMessages: MESSAGES_PER_CONNECTION,
      })
    : nodemailer.createTransport(connection);
}

/** How many messages the transport sends at once: its pool's connections, or one for a transport that connects per message. */
export function transportConnections(transport: Transporter): number {
  const options = (transport.options ?? {}) as { pool?: boolean; maxConnections?: number };
  return options.pool ? (options.maxConnections ?? DEFAULT_SMTP_MAX_CONNECTIONS) : 1;
}
