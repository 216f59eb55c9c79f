import { consoleApprovalPath, consoleRunPath, consoleUrl, processOfApiPath } from '../../domain/console-links';
import { formatLocalDateAgo, formatLocalTime, localiseInstants, minutesUntil } from '../../domain/local-time';
import { renderEmail } from '../../activities/shared/email/render';
import { storeAddress } from '../../activities/shared/email/store-contact';
import { configSchema, DEFAULT_COMPANY_POSTAL_ADDRESS } from '../../platform/config';

describe('formatLocalTime: the store-local moment with its zone name', () => {
  it.each([
    ['2026-12-02T19:00:00.000Z', 'America/Los_Angeles', 'Wed, Dec 2, 11:00 AM PST'],
    ['2026-07-02T18:00:00.000Z', 'America/Los_Angeles', 'Thu, Jul 2, 11:00 AM PDT'],
    ['2026-12-02T19:00:00.000Z', 'America/New_York', 'Wed, Dec 2, 2:00 PM EST'],
    ['2026-12-02T19:00:00.000Z', 'America/Denver', 'Wed, Dec 2, 12:00 PM MST'],
    ['2026-12-03T05:30:00.000Z', 'America/Chicago', 'Wed, Dec 2, 11:30 PM CST'],
    ['2026-12-02T19:00:00.000Z', 'UTC', 'Wed, Dec 2, 7:00 PM UTC'],
    ['2026-12-02T19:00:00.000Z', 'Not/AZone', 'Wed, Dec 2, 7:00 PM UTC'],
  ])('%s in %s', (at, zone, expected) => {
    expect(formatLocalTime(at, zone)).toBe(expected);
  });

  it('leaves an unreadable moment as given', () => {
    expect(formatLocalTime('not a date', 'UTC')).toBe('not a date');
  });

  it.each([
    ['2026-12-02T18:00:00.000Z', 'today'],
    ['2026-12-01T18:00:00.000Z', 'yesterday'],
    ['2026-11-11T20:00:00.000Z', '3 weeks ago'],
    ['2026-06-02T20:00:00.000Z', '6 months ago'],
    ['2023-12-01T20:00:00.000Z', '3 years ago'],
  ])('formatLocalDateAgo %s', (at, ago) => {
    expect(formatLocalDateAgo(at, 'America/Los_Angeles', new Date('2026-12-02T19:00:00.000Z'))).toMatch(new RegExp(`\\(${ago}\\)$`));
  });

  it.each([
    ['Appointment A1, starts 2026-12-02T19:00:00.000Z.', 'Appointment A1, starts Wed, Dec 2, 11:00 AM PST.'],
    ['not fully received by 2026-12-02T19:00Z; from 2026-12-03T03:00:00+00:00', 'not fully received by Wed, Dec 2, 11:00 AM PST; from Wed, Dec 2, 7:00 PM PST'],
    ['a day 2026-12-02 and a SKU WA-0012 stay as written', 'a day 2026-12-02 and a SKU WA-0012 stay as written'],
    ['an impossible 2026-13-45T99:00:00Z stays', 'an impossible 2026-13-45T99:00:00Z stays'],
  ])('localiseInstants(%s)', (text, expected) => {
    expect(localiseInstants(text, 'America/Los_Angeles')).toBe(expected);
  });

  it('minutesUntil rounds to whole minutes, negative once passed', () => {
    const now = new Date('2026-12-02T18:05:00.000Z');
    expect(minutesUntil('2026-12-02T19:00:20.000Z', now)).toBe(55);
    expect(minutesUntil('2026-12-02T18:00:00.000Z', now)).toBe(-5);
  });
});

describe('console links: one path scheme for emails and the console', () => {
  it('builds the decision and run paths, escaping the ID', () => {
    expect(consoleApprovalPath('replenishments', 'replenishment-S001-2026-12-02')).toBe('/console/approvals/replenishments/replenishment-S001-2026-12-02');
    expect(consoleRunPath('price-changes', 'a/b c')).toBe('/console/runs/price-changes/a%2Fb%20c');
    expect(consoleUrl('https://ops.example.com/', '/console/runs/campaigns/x')).toBe('https://ops.example.com/console/runs/campaigns/x');
  });

  it.each<[string, ReturnType<typeof processOfApiPath>]>([
    ['/api/v1/appointment-recoveries/appointment-recovery-APT-1', { process: 'appointment-recoveries', id: 'appointment-recovery-APT-1' }],
    ['/api/v1/campaigns/CMP%201', { process: 'campaigns', id: 'CMP 1' }],
    ['/api/v1/approvals/x', null],
    ['/api/v1/price-changes/a/b', null],
    ['/api/v1/price-changes/%E0%A4%A', null],
    ['https://elsewhere/api/v1/campaigns/x', null],
  ])('processOfApiPath(%s)', (path, expected) => {
    expect(processOfApiPath(path)).toEqual(expected);
  });
});

describe('store address', () => {
  it.each([
    [{ street: "170 O'Farrell Street", city: 'San Francisco', state: 'CA', postalCode: '94102' }, "170 O'Farrell Street, San Francisco, CA 94102"],
    [{ street: null, city: 'Testville', state: null, postalCode: null }, 'Testville'],
    [{ street: '1 Main St', city: 'Boston', state: 'MA', postalCode: null }, '1 Main St, Boston, MA'],
  ])('%o', (store, expected) => {
    expect(storeAddress(store)).toBe(expected);
  });
});

describe('templates', () => {
  const store = { id: 'S1', name: 'Retail Ops <Union> Square', timezone: 'UTC', address: '1 Main St, Springfield', email: 'store@example.com' };

  it('escape every value in HTML, never in text', () => {
    const r = renderEmail('process-notice', {
      subject: 'S',
      store,
      recipientName: 'Ann & Bob',
      heading: '<b>Not sent</b>',
      lines: ['a < b'],
      linkLabel: 'Open',
      link: 'http://x/console/runs/replenishments/1?a=1&b=2',
    });
    expect(r.html).toContain('Ann &amp; Bob');
    expect(r.html).toContain('&lt;b&gt;Not sent&lt;/b&gt;');
    expect(r.html).toContain('Retail Ops &lt;Union&gt; Square');
    expect(r.html).not.toContain('<b>Not sent</b>');
    expect(r.text).toContain('Hello Ann & Bob,');
    expect(r.text).toContain('<b>Not sent</b>');
    expect(r.text).toContain('Open: http://x/console/runs/replenishments/1?a=1&b=2');
    expect(r.text).not.toMatch(/\n{3,}/);
  });

  it('refuse data missing a field the template names (a typo is an error, not a blank)', () => {
    expect(() => renderEmail('process-notice', { subject: 'S', store: null, recipientName: 'A', lines: [], linkLabel: 'Open', link: 'x' })).toThrow(/heading/);
  });
});

describe('COMPANY_POSTAL_ADDRESS', () => {
  it('defaults to a postal address and takes a configured one', () => {
    expect(configSchema.parse({}).COMPANY_POSTAL_ADDRESS).toBe(DEFAULT_COMPANY_POSTAL_ADDRESS);
    expect(configSchema.parse({ COMPANY_POSTAL_ADDRESS: ' Acme, 1 Main St, Springfield ' }).COMPANY_POSTAL_ADDRESS).toBe('Acme, 1 Main St, Springfield');
    expect(configSchema.safeParse({ COMPANY_POSTAL_ADDRESS: 'x' }).success).toBe(false);
  });
});
