/**
 * Deterministic demo data for Retail Ops: pure generation, no I/O.
 *
 * Everything is drawn from mulberry32 PRNG streams derived from one fixed seed; the only input that
 * varies is the injected `now`, which anchors dates (sales history ends yesterday, shifts cover
 * thirty days either side, customers' purchase histories end before now). Two calls with the same
 * `now` return identical data (see `seedFingerprint`).
 *
 * Money is carried in integer cents (`*Cents`) to keep arithmetic exact; `centsToDecimal` formats
 * it for Decimal columns. Types here mirror prisma/schema.prisma but do not import the Prisma
 * client, so this module stays usable from pure unit tests.
 */
import { createHash } from 'node:crypto';
import { forecastWithSpec, scoreHoldout, type HoldoutScore, type SeriesModelSpec } from '../domain/demand-models';
import { seasonalExponentialSmoothing } from '../domain/forecasting';

// A module-level alias: in a vm context (jest) every lookup of the global `Math` goes through the
// context's interceptors, which made generation ten times slower there.
const M = Math;

// ---------------------------------------------------------------------------
// Constants shared with the seed, the scenario and tests
// ---------------------------------------------------------------------------

export const SEED = 20261124;
/** Two years of daily sales, so a yearly pattern is seen twice. */
export const SALES_HISTORY_DAYS = 730;
export const SHIFT_WINDOW_DAYS = 30;

export const SCENARIO_STORE_ID = 'S001';
export const VICTORIA_ID = 'CUST-VICTORIA-CHEN';
export const MARIA_ID = 'ST-S001-MARIA';
export const ALEX_STAFF_ID = 'ST-S001-MGR';
export const TAYLOR_STAFF_ID = 'ST-S002-MGR';
export const JORDAN_STAFF_ID = 'ST-WEST-RM';
export const SCENARIO_SERVICE_TYPE = 'personal_styling';

export const SKILLS = [
  'personal_styling',
  'womens_apparel',
  'mens_apparel',
  'bridal',
  'occasion_wear',
  'workwear',
  'accessories',
  'footwear',
  'plus_size',
  'petite',
] as const;
export type Skill = (typeof SKILLS)[number];

export const CATEGORIES = ['womens-apparel', 'mens-apparel', 'footwear', 'accessories', 'beauty', 'home'] as const;
export type Category = (typeof CATEGORIES)[number];

export const STYLE_TAGS = ['classic', 'minimalist', 'bohemian', 'romantic', 'edgy', 'sporty', 'business', 'evening'] as const;
export type StyleTag = (typeof STYLE_TAGS)[number];

export const COLOURS = [
  'black',
  'white',
  'navy',
  'ivory',
  'camel',
  'grey',
  'charcoal',
  'burgundy',
  'olive',
  'blush',
  'emerald',
  'cobalt',
  'red',
  'tan',
  'cream',
  'chocolate',
  'sage',
  'lilac',
] as const;

export const TOP_SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;
export const WOMENS_NUMERIC_SIZES = ['2', '4', '6', '8', '10', '12', '14'] as const;
export const MENS_WAIST_SIZES = ['30', '32', '34', '36', '38'] as const;
export const WOMENS_SHOE_SIZES = ['36', '37', '38', '39', '40', '41'] as const;
export const MENS_SHOE_SIZES = ['40', '41', '42', '43', '44', '45', '46'] as const;
export const ONE_SIZE = 'ONE';

/** Victoria Chen's canonical profile: the seed and the scenario both write exactly this. */
export const VICTORIA_PROFILE = {
  id: VICTORIA_ID,
  firstName: 'Victoria',
  lastName: 'Chen',
  email: 'victoria.chen@example.com',
  phone: '+1-415-555-0142',
  tier: 'PLATINUM' as const,
  homeStoreId: SCENARIO_STORE_ID,
  timezone: 'America/Los_Angeles',
  emailConsent: true,
  styleTags: ['classic', 'minimalist', 'business'],
  preferredColours: ['navy', 'ivory', 'camel'],
  preferredCategories: ['womens-apparel', 'accessories'],
  sizeTop: 'M',
  sizeBottom: '8',
  shoeSize: '38',
  styleNotes:
    'Tailored, minimalist workwear in navy, ivory and camel; prefers natural fibres. ' +
    'Board-room wardrobe plus one statement evening look per season. Shoe 38, low block heels.',
};

/** Victoria's membership began this many days before `now` (about five years). */
export const VICTORIA_MEMBER_DAYS = 5 * 365 + 23;

export interface DemoPrincipal {
  id: string;
  displayName: string;
  email: string;
  role: 'system' | 'associate' | 'store_manager' | 'regional_manager' | 'category_manager' | 'marketing_manager' | 'data_scientist' | 'ops';
  allScopes: boolean;
  storeIds: string[];
  regionIds: string[];
  categories: string[];
  staffId: string | null;
  /** Plaintext demo key (`demo-key-<id>`); only its hash is stored. */
  apiKey: string;
}

function principal(p: Omit<DemoPrincipal, 'apiKey' | 'email'> & { email?: string }): DemoPrincipal {
  return { ...p, email: p.email ?? `${p.id}@retail-ops.local`, apiKey: `demo-key-${p.id}` };
}

/** The principals of DESIGN.md "Roles and demo principals". */
export const DEMO_PRINCIPALS: readonly DemoPrincipal[] = [
  principal({ id: 'pos-gateway', displayName: 'POS Gateway', role: 'system', allScopes: true, storeIds: [], regionIds: [], categories: [], staffId: null }),
  principal({
    id: 'alex',
    displayName: 'Alex Morgan',
    role: 'store_manager',
    allScopes: false,
    storeIds: ['S001'],
    regionIds: [],
    categories: [],
    staffId: ALEX_STAFF_ID,
  }),
  principal({
    id: 'taylor',
    displayName: 'Taylor Brooks',
    role: 'store_manager',
    allScopes: false,
    storeIds: ['S002'],
    regionIds: [],
    categories: [],
    staffId: TAYLOR_STAFF_ID,
  }),
  principal({
    id: 'jordan',
    displayName: 'Jordan Lee',
    role: 'regional_manager',
    allScopes: false,
    storeIds: [],
    regionIds: ['WEST'],
    categories: [],
    staffId: JORDAN_STAFF_ID,
  }),
  principal({
    id: 'casey',
    displayName: 'Casey Rivera',
    role: 'category_manager',
    allScopes: false,
    storeIds: [],
    regionIds: [],
    categories: ['womens-apparel'],
    staffId: null,
  }),
  principal({
    id: 'morgan',
    displayName: 'Morgan Blake',
    role: 'marketing_manager',
    allScopes: true,
    storeIds: [],
    regionIds: [],
    categories: [],
    staffId: null,
  }),
  principal({ id: 'devi', displayName: 'Devi Patel', role: 'data_scientist', allScopes: true, storeIds: [], regionIds: [], categories: [], staffId: null }),
  principal({ id: 'sam', displayName: 'Sam Okafor', role: 'ops', allScopes: true, storeIds: [], regionIds: [], categories: [], staffId: null }),
  principal({
    id: 'maria',
    displayName: 'Maria Santos',
    role: 'associate',
    allScopes: false,
    storeIds: ['S001'],
    regionIds: [],
    categories: [],
    staffId: MARIA_ID,
  }),
];

// ---------------------------------------------------------------------------
// Row types (mirror the Prisma models; money in cents)
// ---------------------------------------------------------------------------

export type StaffRoleName = 'STYLIST' | 'SALES_ASSOCIATE' | 'STORE_MANAGER' | 'REGIONAL_MANAGER';
export type TierName = 'STANDARD' | 'SILVER' | 'GOLD' | 'PLATINUM';
export type AppointmentStatusName = 'SCHEDULED' | 'CONFIRMED' | 'COMPLETED' | 'CANCELLED' | 'NO_SHOW';

export interface RegionRow {
  id: string;
  name: string;
}
export interface StoreRow {
  id: string;
  name: string;
  regionId: string;
  city: string;
  street: string;
  state: string;
  postalCode: string;
  email: string;
  timezone: string;
  openingHour: number;
  closingHour: number;
}
export interface StaffRow {
  id: string;
  storeId: string | null;
  regionId: string | null;
  firstName: string;
  lastName: string;
  email: string;
  role: StaffRoleName;
  skills: string[];
  rating: number;
  maxDailyAppointments: number;
  active: boolean;
  hiredAt: Date;
}
export interface ShiftRow {
  id: string;
  staffId: string;
  storeId: string;
  startsAt: Date;
  endsAt: Date;
}
export interface SupplierRow {
  id: string;
  name: string;
  email: string;
  leadTimeDays: number;
  leadTimeStdDays: number;
  minOrderValueCents: number;
}
export interface ProductRow {
  sku: string;
  name: string;
  category: Category;
  brand: string;
  colour: string;
  size: string;
  styleTags: string[];
  costCents: number;
  priceCents: number;
  mapCents: number | null;
  supplierId: string;
  packSize: number;
  minOrderQty: number;
  serviceLevel: number;
  active: boolean;
}
export interface InventoryRow {
  storeId: string;
  sku: string;
  onHand: number;
  reserved: number;
  onOrder: number;
}
export interface SalesSeries {
  storeId: string;
  sku: string;
  /** The list price (the product's price today). */
  priceCents: number;
  /** The price each day was sold at: the list price, or a chain-wide promotion's. */
  dailyPriceCents: Int32Array;
  /** Units sold each day; on a stock-out day what sold before the shelf ran empty. */
  units: Int32Array;
  /** 1 on the days the shelf ran empty (SalesDaily.stockout): that day's demand was at least `units`. */
  stockout: Uint8Array;
  pattern: DemandPattern;
  /** The simulated shelf's orders that arrived: day ordered, day received (day indexes of the series), units. */
  receipts: ShelfReceipt[];
}
export interface ShelfReceipt {
  orderedDay: number;
  receivedDay: number;
  units: number;
}
export interface SalesHistory {
  /** First day of the series, YYYY-MM-DD (UTC calendar day). */
  firstDay: string;
  days: number;
  series: SalesSeries[];
}
export interface CustomerRow {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  tier: TierName;
  memberSince: Date;
  homeStoreId: string | null;
  timezone: string;
  emailConsent: boolean;
  consentUpdatedAt: Date | null;
  styleTags: string[];
  preferredColours: string[];
  preferredCategories: string[];
  sizeTop: string | null;
  sizeBottom: string | null;
  shoeSize: string | null;
  styleNotes: string | null;
}
export interface OrderRow {
  id: string;
  customerId: string;
  storeId: string | null;
  channel: string;
  purchasedAt: Date;
  totalCents: number;
}
export interface OrderLineRow {
  id: string;
  orderId: string;
  sku: string;
  quantity: number;
  unitPriceCents: number;
}
export interface RoomRow {
  id: string;
  storeId: string;
  name: string;
  kind: 'SUITE' | 'FITTING_ROOM';
  capacity: number;
}
export interface AppointmentRow {
  id: string;
  storeId: string;
  customerId: string;
  serviceType: string;
  startsAt: Date;
  endsAt: Date;
  status: AppointmentStatusName;
  stylistId: string | null;
  notes: string | null;
}
export interface CompetitorPriceRow {
  id: string;
  sku: string;
  competitor: string;
  priceCents: number;
  observedAt: Date;
}

export interface SeedData {
  now: Date;
  regions: RegionRow[];
  stores: StoreRow[];
  staff: StaffRow[];
  shifts: ShiftRow[];
  suppliers: SupplierRow[];
  products: ProductRow[];
  inventory: InventoryRow[];
  sales: SalesHistory;
  customers: CustomerRow[];
  orders: OrderRow[];
  orderLines: OrderLineRow[];
  rooms: RoomRow[];
  appointments: AppointmentRow[];
  competitorPrices: CompetitorPriceRow[];
  principals: DemoPrincipal[];
}

// ---------------------------------------------------------------------------
// PRNG and helpers
// ---------------------------------------------------------------------------

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = M.imul(t ^ (t >>> 15), t | 1);
    t ^= t + M.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random stream per section, so changing one section does not reshuffle the others. */
function stream(name: string): Rng {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = M.imul(h ^ name.charCodeAt(i), 16777619);
  return new Rng(mulberry32((SEED ^ h) >>> 0));
}

class Rng {
  private spare: number | null = null;
  constructor(private readonly next: () => number) {}
  float(): number {
    return this.next();
  }
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }
  int(min: number, max: number): number {
    return min + M.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[M.floor(this.next() * items.length)];
  }
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= weights[i];
      if (r < 0) return items[i];
    }
    return items[items.length - 1];
  }
  sample<T>(items: readonly T[], n: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < n && pool.length > 0) out.push(pool.splice(M.floor(this.next() * pool.length), 1)[0]);
    return out;
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = M.sqrt(-2 * M.log(u));
    this.spare = r * M.sin(2 * M.PI * v);
    return r * M.cos(2 * M.PI * v);
  }
  logNormal(mu: number, sigma: number): number {
    return M.exp(mu + sigma * this.normal());
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return M.max(0, M.round(lambda + M.sqrt(lambda) * this.normal()));
    const l = M.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l);
    return k - 1;
  }
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = M.abs(M.round(cents));
  return `${sign}${M.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function isoDay(t: number | Date): string {
  return new Date(typeof t === 'number' ? t : t.getTime()).toISOString().slice(0, 10);
}

function utcMidnight(t: number): number {
  return M.floor(t / DAY_MS) * DAY_MS;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

// --- time zones (Intl only; deterministic for a given tz database) ----------

const dtfCache = new Map<string, Intl.DateTimeFormat>();
function zoneFormatter(tz: string): Intl.DateTimeFormat {
  let f = dtfCache.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    dtfCache.set(tz, f);
  }
  return f;
}

/** Wall-clock parts of instant `t` in zone `tz`. */
export function zonedParts(t: number, tz: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(tz).formatToParts(new Date(t))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { y: parts.year, m: parts.month, d: parts.day, h: parts.hour % 24, mi: parts.minute, s: parts.second };
}

function tzOffsetMs(t: number, tz: string): number {
  const p = zonedParts(t, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - M.floor(t / 1000) * 1000;
}

/** The instant at which the wall clock in `tz` shows y-m-d h:mi (month 1-based; day may overflow). */
export function zonedTimeToUtc(y: number, m: number, d: number, h: number, mi: number, tz: string): Date {
  const guess = Date.UTC(y, m - 1, d, h, mi);
  const off1 = tzOffsetMs(guess, tz);
  let t = guess - off1;
  const off2 = tzOffsetMs(t, tz);
  if (off2 !== off1) t = guess - off2;
  return new Date(t);
}

// ---------------------------------------------------------------------------
// Organisation
// ---------------------------------------------------------------------------

export const REGIONS: readonly RegionRow[] = [
  { id: 'WEST', name: 'West' },
  { id: 'EAST', name: 'East' },
];

export const STORES: readonly StoreRow[] = [
  {
    id: 'S001',
    name: 'Retail Ops Union Square',
    regionId: 'WEST',
    city: 'San Francisco',
    street: "170 O'Farrell Street",
    state: 'CA',
    postalCode: '94102',
    email: 'union-square@stores.retail-ops.local',
    timezone: 'America/Los_Angeles',
    openingHour: 10,
    closingHour: 21,
  },
  {
    id: 'S002',
    name: 'Retail Ops Pearl District',
    regionId: 'WEST',
    city: 'Portland',
    street: '1033 NW Couch Street',
    state: 'OR',
    postalCode: '97209',
    email: 'pearl-district@stores.retail-ops.local',
    timezone: 'America/Los_Angeles',
    openingHour: 10,
    closingHour: 20,
  },
  {
    id: 'S003',
    name: 'Retail Ops Cherry Creek',
    regionId: 'WEST',
    city: 'Denver',
    street: '3000 East 1st Avenue',
    state: 'CO',
    postalCode: '80206',
    email: 'cherry-creek@stores.retail-ops.local',
    timezone: 'America/Denver',
    openingHour: 10,
    closingHour: 20,
  },
  {
    id: 'S004',
    name: 'Retail Ops SoHo',
    regionId: 'EAST',
    city: 'New York',
    street: '120 Spring Street',
    state: 'NY',
    postalCode: '10012',
    email: 'soho@stores.retail-ops.local',
    timezone: 'America/New_York',
    openingHour: 10,
    closingHour: 21,
  },
  {
    id: 'S005',
    name: 'Retail Ops Back Bay',
    regionId: 'EAST',
    city: 'Boston',
    street: '800 Boylston Street',
    state: 'MA',
    postalCode: '02199',
    email: 'back-bay@stores.retail-ops.local',
    timezone: 'America/New_York',
    openingHour: 10,
    closingHour: 20,
  },
  {
    id: 'S006',
    name: 'Retail Ops Lincoln Park',
    regionId: 'EAST',
    city: 'Chicago',
    street: '2500 North Clark Street',
    state: 'IL',
    postalCode: '60614',
    email: 'lincoln-park@stores.retail-ops.local',
    timezone: 'America/Chicago',
    openingHour: 10,
    closingHour: 20,
  },
];

/** Relative sales volume per store (S001 is the flagship). */
const STORE_VOLUME: Record<string, number> = { S001: 1.35, S002: 0.85, S003: 0.8, S004: 1.25, S005: 0.9, S006: 0.95 };

const FEMALE_FIRST = [
  'Olivia',
  'Emma',
  'Ava',
  'Sophia',
  'Isabella',
  'Mia',
  'Charlotte',
  'Amelia',
  'Harper',
  'Evelyn',
  'Abigail',
  'Emily',
  'Ella',
  'Elizabeth',
  'Camila',
  'Luna',
  'Sofia',
  'Avery',
  'Mila',
  'Aria',
  'Scarlett',
  'Penelope',
  'Layla',
  'Chloe',
  'Nora',
  'Lily',
  'Hannah',
  'Grace',
  'Zoe',
  'Leah',
  'Aisha',
  'Mei',
  'Yuki',
  'Ananya',
  'Fatima',
  'Ingrid',
  'Lucia',
  'Valentina',
  'Naomi',
  'Rosa',
  'Claire',
  'Julia',
  'Keiko',
  'Nadia',
  'Elena',
];
const MALE_FIRST = [
  'Liam',
  'Noah',
  'Oliver',
  'Elijah',
  'James',
  'William',
  'Benjamin',
  'Lucas',
  'Henry',
  'Theodore',
  'Jack',
  'Levi',
  'Alexander',
  'Mateo',
  'Daniel',
  'Michael',
  'Mason',
  'Sebastian',
  'Ethan',
  'Logan',
  'Owen',
  'Samuel',
  'Jacob',
  'Asher',
  'Aiden',
  'John',
  'Joseph',
  'Wyatt',
  'David',
  'Leo',
  'Hiroshi',
  'Arjun',
  'Omar',
  'Kwame',
  'Andre',
  'Marcus',
];
const LAST_NAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Kim',
  'Patel',
  'Chen',
  'Wang',
  'Singh',
  'Okafor',
  'Haddad',
  'Kowalski',
  'Rossi',
  'Novak',
  'Silva',
  'Tanaka',
  'Sato',
  'Ali',
  'Murphy',
  'Cohen',
  'Dubois',
  'Larsen',
  'Osei',
];

const STYLIST_SPECIALTIES: readonly (readonly Skill[])[] = [
  ['personal_styling', 'womens_apparel', 'occasion_wear'],
  ['personal_styling', 'mens_apparel', 'workwear'],
  ['womens_apparel', 'bridal', 'occasion_wear'],
  ['personal_styling', 'womens_apparel', 'plus_size'],
  ['womens_apparel', 'petite', 'accessories'],
  ['mens_apparel', 'footwear', 'accessories'],
  ['personal_styling', 'workwear', 'accessories'],
];

function generateStaff(now: number): StaffRow[] {
  const rng = stream('staff');
  const staff: StaffRow[] = [];
  const emails = new Set<string>();
  const email = (first: string, last: string, fixed?: string): string => {
    if (fixed) {
      emails.add(fixed);
      return fixed;
    }
    const base = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    let e = `${base}@retail-ops.local`;
    for (let n = 2; emails.has(e); n++) e = `${base}${n}@retail-ops.local`;
    emails.add(e);
    return e;
  };
  const hired = (minYears: number, maxYears: number) => new Date(utcMidnight(now - rng.range(minYears, maxYears) * 365 * DAY_MS));
  const rating = (min: number, max: number) => M.round(rng.range(min, max) * 10) / 10;
  const person = (): [string, string] => [rng.chance(0.6) ? rng.pick(FEMALE_FIRST) : rng.pick(MALE_FIRST), rng.pick(LAST_NAMES)];

  // Regional managers.
  staff.push({
    id: JORDAN_STAFF_ID,
    storeId: null,
    regionId: 'WEST',
    firstName: 'Jordan',
    lastName: 'Lee',
    email: email('Jordan', 'Lee', 'jordan@retail-ops.local'),
    role: 'REGIONAL_MANAGER',
    skills: [],
    rating: 4.6,
    maxDailyAppointments: 0,
    active: true,
    hiredAt: hired(6, 9),
  });
  staff.push({
    id: 'ST-EAST-RM',
    storeId: null,
    regionId: 'EAST',
    firstName: 'Renee',
    lastName: 'Okafor',
    email: email('Renee', 'Okafor'),
    role: 'REGIONAL_MANAGER',
    skills: [],
    rating: 4.5,
    maxDailyAppointments: 0,
    active: true,
    hiredAt: hired(5, 9),
  });

  for (const store of STORES) {
    const sid = store.id;
    // Store manager.
    if (sid === 'S001') {
      staff.push({
        id: ALEX_STAFF_ID,
        storeId: sid,
        regionId: store.regionId,
        firstName: 'Alex',
        lastName: 'Morgan',
        email: email('Alex', 'Morgan', 'alex@retail-ops.local'),
        role: 'STORE_MANAGER',
        skills: ['personal_styling', 'workwear'],
        rating: 4.5,
        maxDailyAppointments: 2,
        active: true,
        hiredAt: hired(4, 7),
      });
    } else if (sid === 'S002') {
      staff.push({
        id: TAYLOR_STAFF_ID,
        storeId: sid,
        regionId: store.regionId,
        firstName: 'Taylor',
        lastName: 'Brooks',
        email: email('Taylor', 'Brooks', 'taylor@retail-ops.local'),
        role: 'STORE_MANAGER',
        skills: ['personal_styling', 'accessories'],
        rating: 4.4,
        maxDailyAppointments: 2,
        active: true,
        hiredAt: hired(3, 7),
      });
    } else {
      const [f, l] = person();
      staff.push({
        id: `ST-${sid}-MGR`,
        storeId: sid,
        regionId: store.regionId,
        firstName: f,
        lastName: l,
        email: email(f, l),
        role: 'STORE_MANAGER',
        skills: ['personal_styling'],
        rating: rating(4.0, 4.8),
        maxDailyAppointments: 2,
        active: true,
        hiredAt: hired(3, 8),
      });
    }

    // Stylists.
    if (sid === 'S001') {
      const s001: Array<[string, string, string, Skill[], number, number, [number, number]]> = [
        // id, first, last, skills, rating, maxDaily, hired years range
        [MARIA_ID, 'Maria', 'Santos', ['personal_styling', 'womens_apparel', 'occasion_wear', 'workwear'], 4.9, 6, [6, 7]],
        ['ST-S001-PRIYA', 'Priya', 'Nair', ['personal_styling', 'womens_apparel', 'petite', 'accessories'], 4.7, 4, [0.4, 0.7]],
        ['ST-S001-JAMES', 'James', 'Whitaker', ['personal_styling', 'mens_apparel', 'workwear', 'footwear'], 4.6, 6, [3, 5]],
        ['ST-S001-LENA', 'Lena', 'Park', ['womens_apparel', 'bridal', 'occasion_wear', 'plus_size'], 4.4, 5, [2, 4]],
        ['ST-S001-DIEGO', 'Diego', 'Alvarez', ['mens_apparel', 'accessories', 'footwear'], 4.2, 6, [1, 2]],
      ];
      for (const [id, f, l, skills, r, maxDaily, [a, b]] of s001) {
        staff.push({
          id,
          storeId: sid,
          regionId: store.regionId,
          firstName: f,
          lastName: l,
          email: email(f, l, id === MARIA_ID ? 'maria@retail-ops.local' : undefined),
          role: 'STYLIST',
          skills,
          rating: r,
          maxDailyAppointments: maxDaily,
          active: true,
          hiredAt: hired(a, b),
        });
      }
    } else {
      const n = rng.int(4, 6);
      for (let i = 1; i <= n; i++) {
        const [f, l] = person();
        const skills = [...rng.pick(STYLIST_SPECIALTIES)];
        if (rng.chance(0.4)) {
          const extra = rng.pick(SKILLS);
          if (!skills.includes(extra)) skills.push(extra);
        }
        staff.push({
          id: `ST-${sid}-STY${i}`,
          storeId: sid,
          regionId: store.regionId,
          firstName: f,
          lastName: l,
          email: email(f, l),
          role: 'STYLIST',
          skills,
          rating: rating(3.5, 4.9),
          maxDailyAppointments: rng.int(4, 6),
          active: true,
          hiredAt: hired(0.3, 8),
        });
      }
    }

    // Sales associates.
    const associates = rng.int(2, 3);
    for (let i = 1; i <= associates; i++) {
      const [f, l] = person();
      const skills = rng.sample(['accessories', 'footwear', 'womens_apparel', 'mens_apparel'] as const, rng.int(0, 2));
      staff.push({
        id: `ST-${sid}-SA${i}`,
        storeId: sid,
        regionId: store.regionId,
        firstName: f,
        lastName: l,
        email: email(f, l),
        role: 'SALES_ASSOCIATE',
        skills: [...skills],
        rating: rating(3.5, 4.6),
        maxDailyAppointments: 0,
        active: true,
        hiredAt: hired(0.2, 5),
      });
    }
  }
  return staff;
}

function generateShifts(now: number, staff: StaffRow[]): ShiftRow[] {
  const rng = stream('shifts');
  const shifts: ShiftRow[] = [];
  const storeById = new Map(STORES.map((s) => [s.id, s]));
  for (const member of staff) {
    if (!member.storeId) continue;
    const store = storeById.get(member.storeId)!;
    // Two days off a week, mostly early in the week (weekends are the busy days).
    const offDays = new Set<number>();
    if (member.id === MARIA_ID) {
      offDays.add(1).add(2);
    } else {
      const dayWeights = [0.4, 1, 1, 1, 0.8, 0.3, 0.2]; // Sunday first
      while (offDays.size < 2) offDays.add(rng.weighted([0, 1, 2, 3, 4, 5, 6], dayWeights));
    }
    const today = zonedParts(now, store.timezone);
    const preferOpening = rng.chance(0.5);
    for (let off = -SHIFT_WINDOW_DAYS; off <= SHIFT_WINDOW_DAYS; off++) {
      const local = new Date(Date.UTC(today.y, today.m - 1, today.d + off));
      const dow = local.getUTCDay();
      if (offDays.has(dow)) continue;
      if (rng.chance(0.04)) continue; // occasional leave
      const y = local.getUTCFullYear();
      const m = local.getUTCMonth() + 1;
      const d = local.getUTCDate();
      let startMin: number;
      let lengthMin: number;
      if (member.role === 'STORE_MANAGER') {
        startMin = (store.openingHour - 1) * 60;
        lengthMin = 8.5 * 60;
      } else {
        const opening = rng.chance(preferOpening ? 0.7 : 0.3);
        lengthMin = 8.5 * 60;
        startMin = opening ? store.openingHour * 60 - 30 : store.closingHour * 60 + 30 - lengthMin;
      }
      const startsAt = zonedTimeToUtc(y, m, d, M.floor(startMin / 60), startMin % 60, store.timezone);
      const endMin = startMin + lengthMin;
      const endsAt = zonedTimeToUtc(y, m, d, M.floor(endMin / 60), endMin % 60, store.timezone);
      shifts.push({ id: `SH-${member.id}-${y}${pad(m)}${pad(d)}`, staffId: member.id, storeId: store.id, startsAt, endsAt });
    }
  }
  return shifts;
}

function generateRooms(): RoomRow[] {
  const rng = stream('rooms');
  const rooms: RoomRow[] = [];
  for (const store of STORES) {
    const suites = store.id === 'S001' ? 3 : rng.int(2, 3);
    for (let i = 1; i <= suites; i++) {
      rooms.push({ id: `RM-${store.id}-SUITE-${i}`, storeId: store.id, name: `Styling Suite ${i}`, kind: 'SUITE', capacity: rng.int(2, 4) });
    }
    const fitting = rng.int(4, 8);
    for (let i = 1; i <= fitting; i++) {
      rooms.push({ id: `RM-${store.id}-FIT-${i}`, storeId: store.id, name: `Fitting Room ${i}`, kind: 'FITTING_ROOM', capacity: 1 });
    }
  }
  return rooms;
}

// ---------------------------------------------------------------------------
// Suppliers and products
// ---------------------------------------------------------------------------

export const SUPPLIERS: readonly SupplierRow[] = [
  { id: 'SUP-01', name: 'Atelier Nord Textiles', email: 'orders@ateliernord.example', leadTimeDays: 14, leadTimeStdDays: 3, minOrderValueCents: 150000 },
  { id: 'SUP-02', name: 'Harbor & Pine Apparel', email: 'po@harborpine.example', leadTimeDays: 10, leadTimeStdDays: 2, minOrderValueCents: 100000 },
  { id: 'SUP-03', name: 'Crestline Menswear', email: 'orders@crestline.example', leadTimeDays: 12, leadTimeStdDays: 2.5, minOrderValueCents: 80000 },
  { id: 'SUP-04', name: 'Solstice Footwear Co.', email: 'trade@solsticefootwear.example', leadTimeDays: 21, leadTimeStdDays: 4, minOrderValueCents: 120000 },
  { id: 'SUP-05', name: 'Meridian Accessories', email: 'orders@meridian-acc.example', leadTimeDays: 7, leadTimeStdDays: 1.5, minOrderValueCents: 50000 },
  { id: 'SUP-06', name: 'Lumen Beauty Labs', email: 'wholesale@lumenbeauty.example', leadTimeDays: 5, leadTimeStdDays: 1, minOrderValueCents: 40000 },
  { id: 'SUP-07', name: 'Hearth & Loom Home', email: 'orders@hearthloom.example', leadTimeDays: 9, leadTimeStdDays: 2, minOrderValueCents: 60000 },
  { id: 'SUP-08', name: 'QuickShip Basics', email: 'edi@quickship.example', leadTimeDays: 3, leadTimeStdDays: 0.5, minOrderValueCents: 25000 },
];

interface ItemDef {
  item: string;
  sizes: 'top' | 'womens-numeric' | 'mens-waist' | 'womens-shoe' | 'mens-shoe' | 'one';
  cost: [number, number]; // dollars
  tags: StyleTag[];
  materials: string[];
}

const CATALOGUE: Record<
  Category,
  { count: number; prefix: string; brands: string[]; suppliers: string[]; packs: number[]; velocity: number; items: ItemDef[] }
> = {
  'womens-apparel': {
    count: 110,
    prefix: 'WA',
    brands: ['Maison Lark', 'Northbound', 'Vela Studio', 'Odette & Co', 'Linea Rosa'],
    suppliers: ['SUP-01', 'SUP-02', 'SUP-08'],
    packs: [1, 2, 4, 6],
    velocity: 0.55,
    items: [
      { item: 'Blazer', sizes: 'top', cost: [55, 120], tags: ['business', 'classic', 'minimalist'], materials: ['Wool', 'Crepe', 'Linen'] },
      { item: 'Silk Blouse', sizes: 'top', cost: [35, 80], tags: ['classic', 'business', 'romantic'], materials: ['Silk', 'Satin'] },
      { item: 'Shirt', sizes: 'top', cost: [20, 45], tags: ['classic', 'minimalist', 'business'], materials: ['Poplin', 'Cotton', 'Linen'] },
      { item: 'Knit Sweater', sizes: 'top', cost: [30, 90], tags: ['classic', 'minimalist', 'bohemian'], materials: ['Merino', 'Cashmere', 'Cotton'] },
      { item: 'Cardigan', sizes: 'top', cost: [28, 75], tags: ['classic', 'romantic', 'bohemian'], materials: ['Merino', 'Cashmere'] },
      { item: 'T-Shirt', sizes: 'top', cost: [8, 18], tags: ['minimalist', 'sporty', 'classic'], materials: ['Cotton', 'Jersey'] },
      { item: 'Trench Coat', sizes: 'top', cost: [90, 180], tags: ['classic', 'business'], materials: ['Cotton', 'Gabardine'] },
      { item: 'Wool Coat', sizes: 'top', cost: [110, 220], tags: ['classic', 'minimalist', 'business'], materials: ['Wool', 'Cashmere-Blend'] },
      { item: 'Trousers', sizes: 'womens-numeric', cost: [30, 70], tags: ['business', 'minimalist', 'classic'], materials: ['Wool', 'Crepe', 'Twill'] },
      { item: 'Wide-Leg Trousers', sizes: 'womens-numeric', cost: [32, 72], tags: ['minimalist', 'bohemian', 'business'], materials: ['Linen', 'Crepe'] },
      { item: 'Pencil Skirt', sizes: 'womens-numeric', cost: [25, 60], tags: ['business', 'classic'], materials: ['Wool', 'Ponte'] },
      { item: 'Midi Skirt', sizes: 'womens-numeric', cost: [25, 65], tags: ['romantic', 'bohemian', 'classic'], materials: ['Satin', 'Pleated', 'Linen'] },
      { item: 'Wrap Dress', sizes: 'womens-numeric', cost: [40, 95], tags: ['classic', 'romantic', 'business'], materials: ['Jersey', 'Silk', 'Crepe'] },
      { item: 'Sheath Dress', sizes: 'womens-numeric', cost: [45, 100], tags: ['business', 'classic', 'minimalist'], materials: ['Crepe', 'Ponte'] },
      { item: 'Slip Dress', sizes: 'womens-numeric', cost: [40, 110], tags: ['evening', 'romantic', 'minimalist'], materials: ['Silk', 'Satin'] },
      { item: 'Evening Gown', sizes: 'womens-numeric', cost: [120, 260], tags: ['evening', 'romantic', 'classic'], materials: ['Silk', 'Chiffon', 'Velvet'] },
      { item: 'Jumpsuit', sizes: 'womens-numeric', cost: [45, 95], tags: ['edgy', 'minimalist', 'evening'], materials: ['Crepe', 'Denim'] },
      { item: 'Jeans', sizes: 'womens-numeric', cost: [25, 60], tags: ['classic', 'edgy', 'sporty'], materials: ['Denim', 'Stretch Denim'] },
      { item: 'Leather Jacket', sizes: 'top', cost: [120, 240], tags: ['edgy', 'classic'], materials: ['Leather', 'Suede'] },
      { item: 'Leggings', sizes: 'top', cost: [12, 30], tags: ['sporty', 'minimalist'], materials: ['Performance', 'Jersey'] },
    ],
  },
  'mens-apparel': {
    count: 60,
    prefix: 'MA',
    brands: ['Crestline', 'Hollis & Grey', 'Fieldwork', 'Navire'],
    suppliers: ['SUP-03', 'SUP-02', 'SUP-08'],
    packs: [1, 2, 4, 6],
    velocity: 0.45,
    items: [
      { item: 'Oxford Shirt', sizes: 'top', cost: [20, 45], tags: ['classic', 'business'], materials: ['Oxford Cotton', 'Poplin'] },
      { item: 'Polo', sizes: 'top', cost: [15, 35], tags: ['sporty', 'classic'], materials: ['Pique', 'Jersey'] },
      { item: 'Suit Jacket', sizes: 'top', cost: [110, 230], tags: ['business', 'classic'], materials: ['Wool', 'Flannel'] },
      { item: 'Crewneck Sweater', sizes: 'top', cost: [30, 80], tags: ['classic', 'minimalist'], materials: ['Merino', 'Lambswool'] },
      { item: 'Overshirt', sizes: 'top', cost: [30, 65], tags: ['edgy', 'minimalist'], materials: ['Twill', 'Corduroy'] },
      { item: 'Chinos', sizes: 'mens-waist', cost: [25, 55], tags: ['classic', 'business'], materials: ['Twill', 'Stretch Cotton'] },
      { item: 'Suit Trousers', sizes: 'mens-waist', cost: [45, 95], tags: ['business', 'classic'], materials: ['Wool', 'Flannel'] },
      { item: 'Selvedge Jeans', sizes: 'mens-waist', cost: [35, 80], tags: ['edgy', 'classic'], materials: ['Denim'] },
      { item: 'Tee', sizes: 'top', cost: [7, 16], tags: ['minimalist', 'sporty'], materials: ['Cotton', 'Jersey'] },
      { item: 'Topcoat', sizes: 'top', cost: [120, 210], tags: ['classic', 'business'], materials: ['Wool', 'Cashmere-Blend'] },
    ],
  },
  footwear: {
    count: 40,
    prefix: 'FW',
    brands: ['Solstice', 'Arlo Row', 'Pietra'],
    suppliers: ['SUP-04'],
    packs: [1, 2],
    velocity: 0.35,
    items: [
      { item: 'Ankle Boot', sizes: 'womens-shoe', cost: [60, 130], tags: ['classic', 'edgy'], materials: ['Leather', 'Suede'] },
      { item: 'Block-Heel Pump', sizes: 'womens-shoe', cost: [50, 110], tags: ['business', 'classic', 'evening'], materials: ['Leather', 'Patent'] },
      { item: 'Loafer', sizes: 'womens-shoe', cost: [45, 100], tags: ['classic', 'minimalist', 'business'], materials: ['Leather', 'Suede'] },
      { item: 'Ballet Flat', sizes: 'womens-shoe', cost: [30, 70], tags: ['classic', 'romantic', 'minimalist'], materials: ['Leather', 'Satin'] },
      { item: 'Strappy Sandal', sizes: 'womens-shoe', cost: [35, 90], tags: ['evening', 'romantic'], materials: ['Leather', 'Metallic'] },
      { item: 'Derby', sizes: 'mens-shoe', cost: [55, 120], tags: ['business', 'classic'], materials: ['Leather'] },
      { item: 'Chelsea Boot', sizes: 'mens-shoe', cost: [65, 140], tags: ['classic', 'edgy'], materials: ['Leather', 'Suede'] },
      { item: 'Court Sneaker', sizes: 'mens-shoe', cost: [35, 75], tags: ['sporty', 'minimalist'], materials: ['Leather', 'Canvas'] },
    ],
  },
  accessories: {
    count: 40,
    prefix: 'AC',
    brands: ['Meridian', 'Odette & Co', 'Kestrel'],
    suppliers: ['SUP-05', 'SUP-08'],
    packs: [1, 2, 4, 6, 12],
    velocity: 0.5,
    items: [
      { item: 'Leather Tote', sizes: 'one', cost: [60, 150], tags: ['classic', 'business', 'minimalist'], materials: ['Leather', 'Pebbled Leather'] },
      { item: 'Silk Scarf', sizes: 'one', cost: [18, 50], tags: ['classic', 'romantic', 'bohemian'], materials: ['Silk', 'Modal'] },
      { item: 'Belt', sizes: 'one', cost: [12, 35], tags: ['classic', 'minimalist', 'edgy'], materials: ['Leather', 'Suede'] },
      { item: 'Crossbody Bag', sizes: 'one', cost: [40, 110], tags: ['minimalist', 'edgy', 'evening'], materials: ['Leather', 'Nylon'] },
      { item: 'Hoop Earrings', sizes: 'one', cost: [8, 40], tags: ['classic', 'evening', 'minimalist'], materials: ['Gold-Plated', 'Sterling'] },
      { item: 'Watch', sizes: 'one', cost: [50, 160], tags: ['classic', 'business', 'sporty'], materials: ['Steel', 'Leather-Strap'] },
      { item: 'Sunglasses', sizes: 'one', cost: [20, 70], tags: ['edgy', 'classic', 'sporty'], materials: ['Acetate', 'Metal'] },
      { item: 'Clutch', sizes: 'one', cost: [30, 85], tags: ['evening', 'romantic'], materials: ['Satin', 'Beaded', 'Leather'] },
    ],
  },
  beauty: {
    count: 25,
    prefix: 'BE',
    brands: ['Lumen', 'Petal & Stone'],
    suppliers: ['SUP-06'],
    packs: [6, 12],
    velocity: 0.9,
    items: [
      { item: 'Lipstick', sizes: 'one', cost: [5, 12], tags: ['classic', 'evening'], materials: ['Matte', 'Satin'] },
      { item: 'Face Serum', sizes: 'one', cost: [12, 30], tags: ['minimalist'], materials: ['Vitamin C', 'Hyaluronic'] },
      { item: 'Eau de Parfum', sizes: 'one', cost: [25, 60], tags: ['romantic', 'evening', 'classic'], materials: ['Floral', 'Woody', 'Citrus'] },
      { item: 'Hand Cream', sizes: 'one', cost: [4, 10], tags: ['minimalist', 'classic'], materials: ['Shea', 'Botanical'] },
      { item: 'Palette', sizes: 'one', cost: [10, 25], tags: ['evening', 'edgy'], materials: ['Nude', 'Smoky'] },
    ],
  },
  home: {
    count: 25,
    prefix: 'HM',
    brands: ['Hearth & Loom', 'Quiet Room'],
    suppliers: ['SUP-07', 'SUP-08'],
    packs: [1, 2, 4],
    velocity: 0.3,
    items: [
      { item: 'Scented Candle', sizes: 'one', cost: [8, 22], tags: ['romantic', 'minimalist'], materials: ['Soy', 'Beeswax'] },
      { item: 'Throw Blanket', sizes: 'one', cost: [30, 80], tags: ['bohemian', 'classic'], materials: ['Wool', 'Cotton'] },
      { item: 'Ceramic Vase', sizes: 'one', cost: [15, 45], tags: ['minimalist', 'bohemian'], materials: ['Stoneware', 'Porcelain'] },
      { item: 'Reed Diffuser', sizes: 'one', cost: [10, 28], tags: ['minimalist', 'romantic'], materials: ['Fig', 'Cedar'] },
      { item: 'Linen Napkin Set', sizes: 'one', cost: [12, 30], tags: ['classic', 'bohemian'], materials: ['Linen'] },
    ],
  },
};

const ADJECTIVES = ['Tailored', 'Relaxed', 'Classic', 'Essential', 'Signature', 'Cropped', 'Longline', 'Soft', 'Structured', 'Everyday', 'Heritage', 'Modern'];

const SIZE_SETS: Record<ItemDef['sizes'], { sizes: readonly string[]; weights: number[] }> = {
  top: { sizes: TOP_SIZES, weights: [0.1, 0.2, 0.34, 0.22, 0.14] },
  'womens-numeric': { sizes: WOMENS_NUMERIC_SIZES, weights: [0.05, 0.11, 0.18, 0.28, 0.18, 0.12, 0.08] },
  'mens-waist': { sizes: MENS_WAIST_SIZES, weights: [0.15, 0.28, 0.28, 0.19, 0.1] },
  'womens-shoe': { sizes: WOMENS_SHOE_SIZES, weights: [0.08, 0.2, 0.28, 0.24, 0.13, 0.07] },
  'mens-shoe': { sizes: MENS_SHOE_SIZES, weights: [0.06, 0.12, 0.2, 0.24, 0.2, 0.12, 0.06] },
  one: { sizes: [ONE_SIZE], weights: [1] },
};

/** Base daily unit rate per product in an average store (kept for the sales generator). */
interface ProductProfile {
  velocity: number;
}

function generateProducts(): { products: ProductRow[]; profiles: Map<string, ProductProfile> } {
  const rng = stream('products');
  const products: ProductRow[] = [];
  const profiles = new Map<string, ProductProfile>();
  for (const category of CATEGORIES) {
    const cat = CATALOGUE[category];
    for (let i = 1; i <= cat.count; i++) {
      const def = cat.items[(i - 1) % cat.items.length];
      const sizeSet = SIZE_SETS[def.sizes];
      const size = rng.weighted(sizeSet.sizes, sizeSet.weights);
      // Favour the palette of the demo's customer a little, like a real classic-leaning assortment.
      const colour = rng.chance(0.3) ? rng.pick(['navy', 'ivory', 'camel', 'black'] as const) : rng.pick(COLOURS);
      const material = rng.pick(def.materials);
      const adjective = rng.pick(ADJECTIVES);
      const brand = rng.pick(cat.brands);
      const tags = rng.sample(def.tags, rng.int(1, M.min(2, def.tags.length)));
      if (rng.chance(0.15)) {
        const extra = rng.pick(STYLE_TAGS);
        if (!tags.includes(extra)) tags.push(extra);
      }
      const costCents = M.round(rng.range(def.cost[0], def.cost[1]) * 100);
      const margin = rng.range(0.4, 0.65);
      const raw = costCents / (1 - margin);
      let priceCents = M.ceil(raw / 100) * 100 - 5; // x.95 price points
      const realised = (priceCents - costCents) / priceCents;
      if (realised < 0.4 || realised > 0.65) priceCents = M.round(raw);
      const mapCents = rng.chance(1 / 3) ? M.max(costCents + 1, M.round(priceCents * rng.range(0.8, 0.95))) : null;
      const packSize = rng.pick(cat.packs);
      const minOrderQty = rng.chance(0.3) ? packSize * rng.int(2, 3) : packSize;
      const velocity = cat.velocity * rng.logNormal(-0.2, 0.85);
      const serviceLevel = M.round((velocity > 0.8 ? rng.range(0.95, 0.98) : rng.range(0.9, 0.96)) * 100) / 100;
      const sku = `${cat.prefix}-${pad(i, 4)}`;
      products.push({
        sku,
        name: def.item.includes(material) ? `${brand} ${adjective} ${def.item}` : `${brand} ${adjective} ${material} ${def.item}`,
        category,
        brand,
        colour,
        size,
        styleTags: tags,
        costCents,
        priceCents,
        mapCents,
        supplierId: rng.pick(cat.suppliers),
        packSize,
        minOrderQty,
        serviceLevel,
        active: true,
      });
      profiles.set(sku, { velocity });
    }
  }
  return { products, profiles };
}

// ---------------------------------------------------------------------------
// Inventory and sales
// ---------------------------------------------------------------------------

/** Day-of-week multipliers (Sunday first): weekend peak. */
export const WEEKLY_FACTORS = [1.3, 0.75, 0.78, 0.84, 0.95, 1.15, 1.55] as const;

function gauss(x: number, mu: number, sigma: number): number {
  return M.exp(-0.5 * ((x - mu) / sigma) ** 2);
}

/** Yearly seasonality by day of year (0-365) and category. */
function yearlyFactor(doy: number, category: Category): number {
  // Holiday peak around mid-December (wraps into early January), January clearance lull.
  const holiday = 0.75 * (gauss(doy, 350, 16) + gauss(doy, -15, 16)) + 0.25 * gauss(doy, 330, 4); // + Black Friday
  const lull = -0.18 * gauss(doy, 35, 18);
  let summer = 0;
  switch (category) {
    case 'womens-apparel':
      summer = 0.15 * gauss(doy, 160, 30);
      break; // occasion / wedding season bump
    case 'mens-apparel':
      summer = -0.1 * gauss(doy, 200, 30);
      break;
    case 'footwear':
      summer = 0.2 * gauss(doy, 235, 14);
      break; // back to school
    case 'accessories':
      summer = 0.1 * gauss(doy, 180, 35);
      break;
    case 'beauty':
      summer = 0.25 * gauss(doy, 44, 5);
      break; // Valentine's
    case 'home':
      summer = -0.2 * gauss(doy, 200, 40);
      break;
  }
  const holidayWeight = category === 'home' || category === 'beauty' ? 1.3 : 1;
  return M.max(0.3, 1 + holidayWeight * holiday + lull + summer);
}

function dayOfYear(t: number): number {
  const d = new Date(t);
  return M.floor((t - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY_MS);
}

/** Own-price elasticity by category (demand = A · price^e), before a per-SKU spread of ±0.4. */
const CATEGORY_ELASTICITY: Record<Category, number> = {
  'womens-apparel': -1.8,
  'mens-apparel': -1.7,
  footwear: -1.5,
  accessories: -2.0,
  beauty: -1.2,
  home: -1.4,
};
/** Days at the end of the history always at list price: the pricing engine's 28-day baseline sees no promotion. */
const PROMOTION_FREE_DAYS = 35;
/** How deep a promotion goes, as a share of the room between list price and the floor (cost + 1 cent, or MAP). */
const PROMOTION_DEPTHS = [0.35, 0.65, 1] as const;
/** Deepest promotion, as a share of the list price. */
const MAX_PROMOTION_DISCOUNT = 0.4;

interface PriceProfile {
  elasticity: number;
  dailyPriceCents: Int32Array;
}

/**
 * The history's chain-wide prices per SKU: the list price, with three promotions a year of two to
 * four weeks at three different depths (so a SKU has sold at three or more distinct prices, what
 * an elasticity estimate needs), none in the last PROMOTION_FREE_DAYS days; and the SKU's true
 * elasticity, by which its sales respond (generateSales).
 */
function generatePrices(days: number, products: ProductRow[]): Map<string, PriceProfile> {
  const rng = stream('promotions');
  const out = new Map<string, PriceProfile>();
  const eligible = days - PROMOTION_FREE_DAYS;
  const years = M.max(1, M.round(days / 365));
  const segment = M.floor(eligible / (PROMOTION_DEPTHS.length * years));
  for (const p of products) {
    const elasticity = CATEGORY_ELASTICITY[p.category] + rng.range(-0.4, 0.4);
    const daily = new Int32Array(days).fill(p.priceCents);
    const floor = M.max(p.costCents + 1, p.mapCents ?? 0, M.round(p.priceCents * (1 - MAX_PROMOTION_DISCOUNT)));
    const room = p.priceCents - floor;
    if (room >= PROMOTION_DEPTHS.length) {
      for (let y = 0; y < years; y++) {
        const depths = rng.sample(PROMOTION_DEPTHS, PROMOTION_DEPTHS.length);
        depths.forEach((depth, k) => {
          const length = rng.int(14, 28);
          const start = (y * PROMOTION_DEPTHS.length + k) * segment + rng.int(0, M.max(0, segment - length));
          const price = p.priceCents - M.round(room * depth);
          for (let d = start; d < M.min(start + length, eligible); d++) daily[d] = price;
        });
      }
    }
    out.set(p.sku, { elasticity: M.round(elasticity * 100) / 100, dailyPriceCents: daily });
  }
  return out;
}

/**
 * How a series' demand arrives: `smooth` (a Poisson count every day), `slow` (most days nothing,
 * now and then a unit or two) or `lumpy` (a trickle of single units and, now and then, one large
 * basket: a corporate gift order, a styling client buying the set).
 */
export type DemandPattern = 'smooth' | 'slow' | 'lumpy';

/**
 * Units a day per unit of a product's velocity in a store of average volume: the best sellers of
 * the flagship sell a dozen a day, where the weekly pattern and the season show through the noise.
 */
const SALES_VOLUME = 3;
/** Base daily rate under which a series sells intermittently. */
const SLOW_MOVER_RATE = 0.15;
/** Share of SKUs (above the slow-mover rate) whose demand comes partly in large baskets. */
const LUMPY_SHARE: Record<Category, number> = {
  'womens-apparel': 0.08,
  'mens-apparel': 0.1,
  footwear: 0.05,
  accessories: 0.3,
  beauty: 0.35,
  home: 0.35,
};
/** Share of a lumpy series' demand that comes in baskets (the rest as single units). */
const LUMPY_BASKET_SHARE = 0.6;
/** Weekly replenishment of the simulated shelves; orders arrive after the supplier's lead time. */
const REVIEW_PERIOD_DAYS = 7;
/** Share of series stocked tightly (a low safety factor), which run out noticeably more often. */
const TIGHT_STOCK_SHARE = 0.15;

/**
 * Two years of daily sales per store × SKU, as a shelf records them. Demand is a base rate ×
 * weekday × season (holiday peak, category bumps) × slow growth × the price response to
 * promotions, with day-to-day noise, drawn as smooth, slow or lumpy (DemandPattern).
 *
 * The shelf is simulated: every REVIEW_PERIOD_DAYS the store orders up to the demand it expects
 * over the review period and the supplier's lead time (the season and promotions known) plus a
 * safety margin, in whole packs; the order arrives after the lead time (with its spread). A day the
 * shelf ran empty — empty at opening, or sold out during the day — is a stock-out: its units are
 * what sold before it did (demand censored, not low). Most series stock out on a few % of days,
 * the tightly stocked ones on more.
 */
function generateSales(now: number, products: ProductRow[], profiles: Map<string, ProductProfile>): SalesHistory {
  const rng = stream('sales');
  const patternRng = stream('demand-patterns');
  const stockRng = stream('shelves');
  const first = utcMidnight(now) - SALES_HISTORY_DAYS * DAY_MS;
  const days = SALES_HISTORY_DAYS;
  const dow = new Uint8Array(days);
  const doy = new Uint16Array(days);
  const trend = new Float64Array(days);
  for (let i = 0; i < days; i++) {
    const t = first + i * DAY_MS;
    dow[i] = new Date(t).getUTCDay();
    doy[i] = dayOfYear(t);
    // About 8 % growth a year.
    trend[i] = 0.92 + 0.16 * (i / days);
  }
  const prices = generatePrices(days, products);
  const lumpySkus = new Map<string, number>();
  for (const p of products) {
    // Mean size of the series' large baskets (0: not lumpy).
    lumpySkus.set(p.sku, patternRng.chance(LUMPY_SHARE[p.category]) ? patternRng.int(4, 9) : 0);
  }
  const yearlyByCategory = new Map<Category, Float64Array>();
  for (const c of CATEGORIES) {
    const yearly = new Float64Array(366);
    for (let d = 0; d < 366; d++) yearly[d] = yearlyFactor(d, c);
    yearlyByCategory.set(c, yearly);
  }
  const supplierById = new Map(SUPPLIERS.map((s) => [s.id, s]));
  const expected = new Float64Array(days);
  const arrivals = new Int32Array(days + 64);
  const series: SalesSeries[] = [];
  for (const store of STORES) {
    const storeVolume = STORE_VOLUME[store.id];
    for (const p of products) {
      const base = SALES_VOLUME * profiles.get(p.sku)!.velocity * storeVolume * rng.logNormal(0, 0.25);
      const basket = lumpySkus.get(p.sku)!;
      const pattern: DemandPattern = base < SLOW_MOVER_RATE ? 'slow' : basket > 0 ? 'lumpy' : 'smooth';
      const yearly = yearlyByCategory.get(p.category)!;
      const { elasticity, dailyPriceCents } = prices.get(p.sku)!;
      for (let i = 0; i < days; i++) {
        const priceResponse = dailyPriceCents[i] === p.priceCents ? 1 : (dailyPriceCents[i] / p.priceCents) ** elasticity;
        expected[i] = base * WEEKLY_FACTORS[dow[i]] * yearly[doy[i]] * trend[i] * priceResponse;
      }

      // The shelf: order-up-to level over review period + lead time, in packs.
      const supplier = supplierById.get(p.supplierId)!;
      const tight = stockRng.chance(TIGHT_STOCK_SHARE);
      const safety = tight ? stockRng.range(-0.3, 0.5) : stockRng.range(1.3, 2.3);
      // Variance of a day's demand relative to its mean: baskets make lumpy series far noisier.
      const dispersion = pattern === 'lumpy' ? 1 + LUMPY_BASKET_SHARE * basket : pattern === 'slow' ? 1.4 : 1.2;
      const reviewDay = stockRng.int(0, REVIEW_PERIOD_DAYS - 1);
      const pack = M.max(1, p.packSize);
      const cover = REVIEW_PERIOD_DAYS + M.ceil(supplier.leadTimeDays);
      const orderUpTo = (from: number): number => {
        let mean = 0;
        for (let j = from; j < from + cover; j++) mean += expected[M.min(j, days - 1)];
        return M.ceil(mean + safety * M.sqrt(mean * dispersion));
      };
      arrivals.fill(0);
      let onHand = M.max(0, orderUpTo(0));
      let onOrder = 0;

      const units = new Int32Array(days);
      const stockout = new Uint8Array(days);
      const receipts: ShelfReceipt[] = [];
      for (let i = 0; i < days; i++) {
        if (arrivals[i] > 0) {
          onHand += arrivals[i];
          onOrder -= arrivals[i];
        }
        const lambda = expected[i] * rng.logNormal(0, 0.18);
        let demand: number;
        if (pattern === 'slow') {
          // Intermittent demand: most days nothing, occasionally a small basket.
          demand = rng.chance(lambda * 0.8) ? 1 + rng.poisson(0.4) : 0;
        } else if (pattern === 'lumpy') {
          demand = rng.poisson(lambda * (1 - LUMPY_BASKET_SHARE));
          if (rng.chance(M.min(0.9, (lambda * LUMPY_BASKET_SHARE) / basket))) demand += 2 + rng.poisson(basket - 2);
        } else {
          demand = rng.poisson(lambda);
        }
        if (demand >= onHand) {
          units[i] = onHand;
          stockout[i] = 1;
          onHand = 0;
        } else {
          units[i] = demand;
          onHand -= demand;
        }
        if (i % REVIEW_PERIOD_DAYS === reviewDay) {
          const short = orderUpTo(i + 1) - onHand - onOrder;
          if (short > 0) {
            const qty = M.ceil(short / pack) * pack;
            const lead = M.max(1, M.round(supplier.leadTimeDays + supplier.leadTimeStdDays * stockRng.normal()));
            if (i + lead < days) {
              arrivals[i + lead] += qty;
              receipts.push({ orderedDay: i, receivedDay: i + lead, units: qty });
            }
            onOrder += qty;
          }
        }
      }
      series.push({ storeId: store.id, sku: p.sku, priceCents: p.priceCents, dailyPriceCents, units, stockout, pattern, receipts });
    }
  }
  return { firstDay: isoDay(first), days, series };
}

// ---------------------------------------------------------------------------
// The demand model's first champion
// ---------------------------------------------------------------------------

/**
 * The demo's first champion of the demand model, "v1": Croston-SBA with a fast smoothing constant
 * for every series, the one-size-fits-all setup of a catalogue thought to be all slow movers. Its
 * forecast is flat (no weekday pattern) and the SBA correction, (1 − alpha/2), takes a quarter off
 * every series, fast movers included: it under-forecasts. The first retraining compares its fitted
 * challenger with it on the same holdout by the promotion rule (at least 2 % lower WAPE, |bias| no
 * worse), which a model chosen per series passes.
 */
export const DEMO_CHAMPION_SPEC: SeriesModelSpec = Object.freeze({ family: 'croston-sba', alpha: 0.5 });
export const DEMO_CHAMPION_HOLDOUT_DAYS = 28;

/** One series of the seeded champion, as ModelSeriesParams stores a fitted one. */
export interface ChampionSeriesRow extends HoldoutScore {
  storeId: string;
  sku: string;
  category: string;
  family: string;
  params: SeriesModelSpec;
  validationError: number | null;
}

export interface DemoChampion {
  spec: SeriesModelSpec;
  /** [trainingStart, holdoutStart) fitted on, [holdoutStart, asOf) evaluated on (yyyy-mm-dd). */
  trainingStart: string;
  holdoutStart: string;
  asOf: string;
  /** Per series: the champion's holdout errors, and the baseline's (what it was compared with). */
  series: ChampionSeriesRow[];
}

/** A series' units as the forecasting code reads them: a stock-out day is NaN (censored). */
export function censoredUnits(s: Pick<SalesSeries, 'units' | 'stockout'>, from = 0, to = s.units.length): number[] {
  const out = new Array<number>(to - from);
  for (let d = from; d < to; d++) out[d - from] = s.stockout[d] ? NaN : s.units[d];
  return out;
}

/**
 * The seeded champion evaluated as a retraining evaluates a version: trained on the history before
 * the last DEMO_CHAMPION_HOLDOUT_DAYS days, its forecast of those days against what sold, beside
 * the baseline forecaster's (there was no champion before it). Stock-out days are censored: left
 * out of the errors. Pure; the seed stores the rows and sums them (evaluateModelVersion).
 */
export function demoChampion(sales: SalesHistory, categoryBySku: ReadonlyMap<string, string>): DemoChampion {
  const trainingDays = sales.days - DEMO_CHAMPION_HOLDOUT_DAYS;
  const first = Date.parse(`${sales.firstDay}T00:00:00Z`);
  const series: ChampionSeriesRow[] = [];
  for (const s of sales.series) {
    // The series' own days, as training reads them: from its first sale on (none: no days at all).
    let offset = s.units.findIndex((u) => u > 0);
    if (offset < 0) offset = sales.days;
    const units = censoredUnits(s, offset);
    const split = M.max(0, trainingDays - offset);
    const training = units.slice(0, split);
    const holdout = units.slice(split);
    const h = holdout.length;
    const startDay = isoDay(first + offset * DAY_MS);
    const own = forecastWithSpec(DEMO_CHAMPION_SPEC, training, h).dailyMeans;
    const baseline = seasonalExponentialSmoothing.forecast({ startDay, units: training }, h).dailyMeans;
    // Its validation error: the same forecast of the last v training days from the days before them.
    const v = M.min(DEMO_CHAMPION_HOLDOUT_DAYS, training.length);
    const known = training.slice(0, training.length - v);
    const validation = forecastWithSpec(DEMO_CHAMPION_SPEC, known, v).dailyMeans;
    const fit = scoreHoldout(training.slice(training.length - v), validation, validation, known);
    series.push({
      storeId: s.storeId,
      sku: s.sku,
      category: categoryBySku.get(s.sku) ?? 'unknown',
      family: DEMO_CHAMPION_SPEC.family,
      params: { ...DEMO_CHAMPION_SPEC },
      validationError: fit.holdoutDays > 0 ? fit.challengerAbsError / fit.holdoutDays : null,
      ...scoreHoldout(holdout, own, baseline, training),
    });
  }
  return {
    spec: { ...DEMO_CHAMPION_SPEC },
    trainingStart: sales.firstDay,
    holdoutStart: isoDay(first + trainingDays * DAY_MS),
    asOf: isoDay(first + sales.days * DAY_MS),
    series,
  };
}

function generateInventory(products: ProductRow[], profiles: Map<string, ProductProfile>): InventoryRow[] {
  const rng = stream('inventory');
  const supplierLead = new Map(SUPPLIERS.map((s) => [s.id, s.leadTimeDays]));
  const rows: InventoryRow[] = [];
  for (const store of STORES) {
    for (const p of products) {
      const daily = profiles.get(p.sku)!.velocity * STORE_VOLUME[store.id];
      const cover = (supplierLead.get(p.supplierId) ?? 10) + 7;
      let onHand = M.round(daily * cover * rng.range(0.25, 1.6) + rng.range(0, 3));
      if (rng.chance(0.05)) onHand = 0;
      onHand = M.max(0, M.min(40, onHand));
      rows.push({ storeId: store.id, sku: p.sku, onHand, reserved: 0, onOrder: 0 });
    }
  }
  return rows;
}

function generateCompetitorPrices(now: number, products: ProductRow[]): CompetitorPriceRow[] {
  const rng = stream('competitors');
  const competitors = ['Nordmart', 'StyleHub', 'Urban Threads', 'Bloom & Co'];
  const rows: CompetitorPriceRow[] = [];
  let n = 0;
  for (const p of products) {
    if (!rng.chance(0.35)) continue;
    for (const competitor of rng.sample(competitors, rng.int(1, 3))) {
      const level = rng.range(0.85, 1.1);
      for (let k = 0; k < 2; k++) {
        const observedAt = new Date(now - rng.range(0.5, 14) * DAY_MS);
        observedAt.setUTCMilliseconds(0);
        rows.push({
          id: `CP-${pad(++n, 5)}`,
          sku: p.sku,
          competitor,
          priceCents: M.round((p.priceCents * level * rng.range(0.98, 1.02)) / 5) * 5,
          observedAt,
        });
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------
// Customers, orders and appointments
// ---------------------------------------------------------------------------

interface ProductPick {
  sku: string;
  category: string;
  size: string;
  colour: string;
  styleTags: string[];
  priceCents: number;
}

/**
 * Victoria Chen: profile row, ~15 purchases over five years (mostly womens-apparel in her sizes
 * and colours) and the dates of her past sessions with Maria. Pure; `products` may come from the
 * generator or from the database.
 */
export function buildVictoria(
  now: Date,
  products: readonly ProductPick[],
): { customer: CustomerRow; orders: OrderRow[]; orderLines: OrderLineRow[]; pastSessions: AppointmentRow[] } {
  const rng = stream('victoria');
  const t = now.getTime();
  const memberSince = new Date(utcMidnight(t - VICTORIA_MEMBER_DAYS * DAY_MS) + 17 * 3600_000);
  const customer: CustomerRow = {
    ...VICTORIA_PROFILE,
    styleTags: [...VICTORIA_PROFILE.styleTags],
    preferredColours: [...VICTORIA_PROFILE.preferredColours],
    preferredCategories: [...VICTORIA_PROFILE.preferredCategories],
    memberSince,
    consentUpdatedAt: new Date(memberSince.getTime() + 2 * DAY_MS),
  };
  const prefs = new Set(VICTORIA_PROFILE.preferredColours);
  const tagPrefs = new Set(VICTORIA_PROFILE.styleTags);
  const fits = (p: ProductPick) =>
    (p.category === 'womens-apparel' && (p.size === 'M' || p.size === '8')) ||
    (p.category === 'footwear' && p.size === '38') ||
    p.category === 'accessories' ||
    p.category === 'beauty';
  const sorted = [...products].filter(fits).sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  const womens = sorted.filter((p) => p.category === 'womens-apparel');
  const preferred = womens.filter((p) => prefs.has(p.colour) || p.styleTags.some((s) => tagPrefs.has(s)));
  const others = sorted.filter((p) => p.category !== 'womens-apparel');
  const orders: OrderRow[] = [];
  const orderLines: OrderLineRow[] = [];
  const count = 15;
  const span = VICTORIA_MEMBER_DAYS - 20;
  for (let i = 0; i < count; i++) {
    // Spread evenly over the membership with jitter; newest about two weeks ago.
    const daysAgo = M.round(span - (i * (span - 14)) / (count - 1) + rng.range(-12, 12));
    const purchasedAt = new Date(utcMidnight(t - M.max(14, daysAgo) * DAY_MS) + rng.int(17, 27) * 3600_000 + rng.int(0, 59) * MINUTE_MS);
    const id = `ORD-VC-${pad(i + 1, 3)}`;
    const lines: OrderLineRow[] = [];
    const n = rng.int(1, 3);
    const used = new Set<string>();
    for (let k = 0; k < n; k++) {
      const pool = k === 0 || rng.chance(0.7) ? (preferred.length ? preferred : womens) : others;
      if (!pool.length) continue;
      const p = rng.pick(pool);
      if (used.has(p.sku)) continue;
      used.add(p.sku);
      lines.push({ id: `${id}-${lines.length + 1}`, orderId: id, sku: p.sku, quantity: 1, unitPriceCents: p.priceCents });
    }
    if (!lines.length) continue;
    orders.push({
      id,
      customerId: VICTORIA_ID,
      storeId: i % 4 === 3 ? null : SCENARIO_STORE_ID,
      channel: i % 4 === 3 ? 'online' : 'store',
      purchasedAt,
      totalCents: lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0),
    });
    orderLines.push(...lines);
  }
  const sessionNotes = [
    'Autumn workwear capsule: navy suiting, ivory silk blouses. Prefers a quiet suite and espresso.',
    'Gala preparation: chose a navy column gown; tailoring booked. Wants minimal jewellery.',
    'Spring refresh: camel trench and wide-leg trousers. Asked to be contacted before new tailoring arrivals.',
  ];
  const pastSessions: AppointmentRow[] = [420, 180, 45].map((daysAgo, i) => {
    const local = zonedParts(t - daysAgo * DAY_MS, VICTORIA_PROFILE.timezone);
    const startsAt = zonedTimeToUtc(local.y, local.m, local.d, 14, 0, VICTORIA_PROFILE.timezone);
    return {
      id: `APT-H-VC-${i + 1}`,
      storeId: SCENARIO_STORE_ID,
      customerId: VICTORIA_ID,
      serviceType: SCENARIO_SERVICE_TYPE,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 90 * MINUTE_MS),
      status: 'COMPLETED',
      stylistId: MARIA_ID,
      notes: sessionNotes[i],
    };
  });
  return { customer, orders, orderLines, pastSessions };
}

const TIERS: readonly TierName[] = ['STANDARD', 'SILVER', 'GOLD', 'PLATINUM'];
const TIER_WEIGHTS = [0.7, 0.18, 0.09, 0.03];
const ORDERS_PER_TIER: Record<TierName, [number, number]> = { STANDARD: [1, 4], SILVER: [3, 7], GOLD: [5, 10], PLATINUM: [8, 16] };
const CUSTOMER_COUNT = 2000;

function generateCustomers(now: number, products: ProductRow[]): { customers: CustomerRow[]; orders: OrderRow[]; orderLines: OrderLineRow[] } {
  const rng = stream('customers');
  const customers: CustomerRow[] = [];
  const orders: OrderRow[] = [];
  const orderLines: OrderLineRow[] = [];
  const storeWeights = STORES.map((s) => (s.id === 'S001' ? 1.4 : 1));
  const byCategory = new Map<string, ProductRow[]>();
  for (const p of products) {
    const list = byCategory.get(p.category) ?? [];
    list.push(p);
    byCategory.set(p.category, list);
  }
  let orderSeq = 0;
  for (let i = 1; i <= CUSTOMER_COUNT; i++) {
    const female = rng.chance(0.62);
    let first = female ? rng.pick(FEMALE_FIRST) : rng.pick(MALE_FIRST);
    const last = rng.pick(LAST_NAMES);
    if (first === 'Victoria' && last === 'Chen') first = 'Valentina';
    const id = `CUST-${pad(i, 6)}`;
    const tier = rng.weighted(TIERS, TIER_WEIGHTS);
    const memberSince = new Date(utcMidnight(now - rng.range(10, 8 * 365) * DAY_MS) + rng.int(15, 28) * 3600_000);
    const home = rng.chance(0.93) ? rng.weighted(STORES, storeWeights) : null;
    const emailConsent = rng.chance(0.8);
    const categories: Category[] = female
      ? rng.sample(['womens-apparel', 'womens-apparel', 'accessories', 'footwear', 'beauty', 'home'] as const, rng.int(1, 2))
      : rng.sample(['mens-apparel', 'mens-apparel', 'footwear', 'accessories', 'home'] as const, rng.int(1, 2));
    const preferredCategories = categories.filter((c, k, a) => a.indexOf(c) === k);
    const sizeTop = rng.weighted(TOP_SIZES, SIZE_SETS.top.weights);
    const sizeBottom = female
      ? rng.weighted(WOMENS_NUMERIC_SIZES, SIZE_SETS['womens-numeric'].weights)
      : rng.weighted(MENS_WAIST_SIZES, SIZE_SETS['mens-waist'].weights);
    const shoeSize = female ? rng.weighted(WOMENS_SHOE_SIZES, SIZE_SETS['womens-shoe'].weights) : rng.weighted(MENS_SHOE_SIZES, SIZE_SETS['mens-shoe'].weights);
    const customer: CustomerRow = {
      id,
      firstName: first,
      lastName: last,
      email: `${first}.${last}.${i}`.toLowerCase().replace(/[^a-z0-9.]/g, '') + '@example.com',
      phone: rng.chance(0.75) ? `+1-${rng.int(201, 989)}-555-${pad(rng.int(100, 9999), 4)}` : null,
      tier,
      memberSince,
      homeStoreId: home?.id ?? null,
      timezone: (home ?? STORES[0]).timezone,
      emailConsent,
      consentUpdatedAt: emailConsent ? new Date(memberSince.getTime() + rng.int(0, 30) * DAY_MS) : null,
      styleTags: rng.sample(STYLE_TAGS, rng.int(1, 3)),
      preferredColours: rng.sample(COLOURS, rng.int(1, 3)),
      preferredCategories,
      sizeTop,
      sizeBottom,
      shoeSize,
      styleNotes: tier === 'PLATINUM' || (tier === 'GOLD' && rng.chance(0.5)) ? rng.pick(STYLE_NOTES) : null,
    };
    customers.push(customer);

    // Purchase history: more orders for higher tiers, mostly in preferred categories and sizes.
    const [lo, hi] = ORDERS_PER_TIER[tier];
    const n = rng.int(lo, hi);
    const since = M.max(memberSince.getTime(), now - 5 * 365 * DAY_MS);
    for (let k = 0; k < n; k++) {
      const purchasedAt = new Date(M.floor(rng.range(since, now - DAY_MS) / MINUTE_MS) * MINUTE_MS);
      const orderId = `ORD-${pad(++orderSeq, 7)}`;
      const online = rng.chance(0.3);
      const lineCount = rng.int(1, tier === 'STANDARD' ? 3 : 4);
      const used = new Set<string>();
      const lines: OrderLineRow[] = [];
      for (let l = 0; l < lineCount; l++) {
        const category = rng.chance(0.75) ? rng.pick(preferredCategories) : rng.pick(CATEGORIES);
        const pool = byCategory.get(category)!;
        const fitting = pool.filter((p) => p.size === ONE_SIZE || p.size === sizeTop || p.size === sizeBottom || p.size === shoeSize);
        const p = rng.pick(fitting.length ? fitting : pool);
        if (used.has(p.sku)) continue;
        used.add(p.sku);
        const discount = rng.weighted([0, 0.1, 0.2, 0.3], [0.7, 0.12, 0.12, 0.06]);
        lines.push({
          id: `${orderId}-${lines.length + 1}`,
          orderId,
          sku: p.sku,
          quantity: p.category === 'beauty' ? rng.int(1, 3) : 1,
          unitPriceCents: M.round(p.priceCents * (1 - discount)),
        });
      }
      orders.push({
        id: orderId,
        customerId: id,
        storeId: online ? null : (home ?? rng.pick(STORES)).id,
        channel: online ? 'online' : 'store',
        purchasedAt,
        totalCents: lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0),
      });
      orderLines.push(...lines);
    }
  }
  return { customers, orders, orderLines };
}

const STYLE_NOTES = [
  'Prefers natural fibres; avoids polyester.',
  'Shops for the season in one visit; likes items laid out by outfit.',
  'Travels often for work; wants crease-resistant pieces.',
  'Looking for occasion wear for family weddings.',
  'Prefers quiet weekday appointments.',
  'Likes bold colour accents with neutral basics.',
];

const PAST_SESSIONS_S001: Record<string, number> = {
  [MARIA_ID]: 42,
  'ST-S001-PRIYA': 7,
  'ST-S001-JAMES': 30,
  'ST-S001-LENA': 24,
  'ST-S001-DIEGO': 14,
};

function generateAppointments(now: number, staff: StaffRow[], shifts: ShiftRow[], customers: CustomerRow[]): AppointmentRow[] {
  const rng = stream('appointments');
  const rows: AppointmentRow[] = [];
  const busy = new Set<string>();
  for (const store of STORES) {
    const stylists = staff.filter((s) => s.storeId === store.id && s.role === 'STYLIST');
    const locals = customers.filter((c) => c.homeStoreId === store.id && c.id !== VICTORIA_ID);
    const weights = locals.map((c) => ({ STANDARD: 1, SILVER: 2, GOLD: 4, PLATINUM: 8 })[c.tier]);
    let seq = 0;
    for (const stylist of stylists) {
      const services = stylist.skills.filter((s) => ['personal_styling', 'bridal', 'occasion_wear', 'workwear'].includes(s));
      if (!services.length) services.push('personal_styling');
      // Past sessions over the last year.
      const past = PAST_SESSIONS_S001[stylist.id] ?? rng.int(10, 35);
      for (let k = 0; k < past; k++) {
        const daysAgo = rng.int(1, 365);
        const hour = rng.int(store.openingHour, store.closingHour - 2);
        const key = `${stylist.id}:${daysAgo}:${hour}`;
        if (busy.has(key)) continue;
        busy.add(key);
        const local = zonedParts(now - daysAgo * DAY_MS, store.timezone);
        const startsAt = zonedTimeToUtc(local.y, local.m, local.d, hour, rng.chance(0.5) ? 0 : 30, store.timezone);
        const minutes = rng.pick([60, 90]);
        rows.push({
          id: `APT-H-${store.id}-${pad(++seq, 4)}`,
          storeId: store.id,
          customerId: rng.weighted(locals, weights).id,
          serviceType: rng.pick(services),
          startsAt,
          endsAt: new Date(startsAt.getTime() + minutes * MINUTE_MS),
          status: rng.weighted(['COMPLETED', 'NO_SHOW', 'CANCELLED'] as const, [0.88, 0.05, 0.07]),
          stylistId: stylist.id,
          notes: null,
        });
      }
      // Upcoming, already assigned sessions inside the stylist's shifts (not in S001: the demo
      // scenario owns S001's near future). Starting at least a day out, so no scan picks them up.
      if (store.id === SCENARIO_STORE_ID) continue;
      const future = shifts.filter((s) => s.staffId === stylist.id && s.startsAt.getTime() > now + DAY_MS);
      const upcoming = rng.int(2, 6);
      for (let k = 0; k < upcoming && future.length; k++) {
        const shift = rng.pick(future);
        const minutes = rng.pick([60, 90]);
        const slots = M.floor((shift.endsAt.getTime() - shift.startsAt.getTime() - minutes * MINUTE_MS) / (30 * MINUTE_MS)) - 1;
        if (slots < 1) continue;
        const startsAt = new Date(shift.startsAt.getTime() + 30 * MINUTE_MS * rng.int(1, slots));
        const key = `${stylist.id}:${startsAt.getTime()}`;
        if (busy.has(key)) continue;
        busy.add(key);
        rows.push({
          id: `APT-F-${store.id}-${pad(++seq, 4)}`,
          storeId: store.id,
          customerId: rng.weighted(locals, weights).id,
          serviceType: rng.pick(services),
          startsAt,
          endsAt: new Date(startsAt.getTime() + minutes * MINUTE_MS),
          status: rng.chance(0.6) ? 'CONFIRMED' : 'SCHEDULED',
          stylistId: stylist.id,
          notes: null,
        });
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------

export function generateSeedData(now: Date): SeedData {
  const t = now.getTime();
  const staff = generateStaff(t);
  const shifts = generateShifts(t, staff);
  const { products, profiles } = generateProducts();
  const inventory = generateInventory(products, profiles);
  const sales = generateSales(t, products, profiles);
  const generated = generateCustomers(t, products);
  const victoria = buildVictoria(now, products);
  const customers = [victoria.customer, ...generated.customers];
  const appointments = [...victoria.pastSessions, ...generateAppointments(t, staff, shifts, customers)];
  return {
    now: new Date(t),
    regions: REGIONS.map((r) => ({ ...r })),
    stores: STORES.map((s) => ({ ...s })),
    staff,
    shifts,
    suppliers: SUPPLIERS.map((s) => ({ ...s })),
    products,
    inventory,
    sales,
    customers,
    orders: [...victoria.orders, ...generated.orders],
    orderLines: [...victoria.orderLines, ...generated.orderLines],
    rooms: generateRooms(),
    appointments,
    competitorPrices: generateCompetitorPrices(t, products),
    principals: DEMO_PRINCIPALS.map((p) => ({ ...p, storeIds: [...p.storeIds], regionIds: [...p.regionIds], categories: [...p.categories] })),
  };
}

/** SHA-256 over every generated row (sales series included), for determinism checks. */
export function seedFingerprint(data: SeedData): string {
  const h = createHash('sha256');
  const { sales, ...rest } = data;
  h.update(JSON.stringify(rest));
  h.update(`${sales.firstDay}/${sales.days}`);
  for (const s of sales.series) {
    h.update(`${s.storeId}|${s.sku}|${s.priceCents}|`);
    h.update(Buffer.from(s.dailyPriceCents.buffer, s.dailyPriceCents.byteOffset, s.dailyPriceCents.byteLength));
    h.update(Buffer.from(s.units.buffer, s.units.byteOffset, s.units.byteLength));
    h.update(Buffer.from(s.stockout.buffer, s.stockout.byteOffset, s.stockout.byteLength));
    h.update(s.pattern);
  }
  return h.digest('hex');
}

/** Row counts per table (sales counted as rows). */
export function seedCounts(data: SeedData): Record<string, number> {
  return {
    regions: data.regions.length,
    stores: data.stores.length,
    staff: data.staff.length,
    shifts: data.shifts.length,
    suppliers: data.suppliers.length,
    products: data.products.length,
    inventory: data.inventory.length,
    salesDaily: data.sales.series.length * data.sales.days,
    customers: data.customers.length,
    orders: data.orders.length,
    orderLines: data.orderLines.length,
    rooms: data.rooms.length,
    appointments: data.appointments.length,
    competitorPrices: data.competitorPrices.length,
    principals: data.principals.length,
  };
}
