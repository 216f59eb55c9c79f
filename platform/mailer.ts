import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config';

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
  // Pooled: connections stay open and are reused (campaign volume); otherwise one per message.
  return cfg.SMTP_POOL
    ? nodemailer.createTransport({ ...connection, pool: true, maxConnections: cfg.SMTP_MAX_CONNECTIONS ?? 5, maxMessages: 100 })
    : nodemailer.createTransport(connection);
}
