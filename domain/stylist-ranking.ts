/**
 * Stylist ranking for appointment recovery: which stylist should take an unassigned appointment,
 * and why, in words a store manager can check at a glance.
 *
 * Pure: no I/O, no clock (bundled into the Temporal workflow sandbox).
 */
import type { Customer360 } from './customer-360';
import { compareStrings, humanise, joinList, normaliseKey, pluralise, roundTo } from './text';

export interface StylistCandidate {
  staffId: string;
  name: string;
  email: string;
  skills: string[];
  rating: number; // 0..5
  onShiftForSlot: boolean; // a shift covers the whole appointment
  conflictingAppointments: number; // other appointments overlapping the slot
  appointmentsThatDay: number;
  maxDailyAppointments: number;
  pastSessionsWithCustomer: number;
}

export interface RankedStylist extends StylistCandidate {
  available: boolean; // on shift, no conflict, under daily max
  score: number; // 0..100, 1 decimal; unavailable ones still scored but listed after available ones
  reasons: string[];
}

/**
 * The scoring weights, in one place. They sum to 100, so a score is out of 100.
 *
 * - skills:  half for the service's own skill (e.g. `personal_styling`), half shared equally by the
 *            customer-derived skills (categories, style); with no customer-derived skills the service
 *            skill carries the whole weight, and with no service skill the derived ones share it.
 * - rating:  linear in the 0..5 rating.
 * - history: 1 - 0.5^n of the weight for n past sessions with this customer (1 -> 50%, 2 -> 75%, 3 -> 87.5%):
 *            continuity matters, but the tenth session adds little over the third.
 * - load:    the free fraction of the stylist's daily capacity (0 of 6 booked -> 100%, 6 of 6 -> 0%).
 *
 * Availability is not part of the score: it is a hard partition (available stylists always come first).
 */
export const STYLIST_WEIGHTS = {
  skills: 40,
  rating: 30,
  history: 15,
  load: 15,
} as const;

/** How many of the customer's top categories turn into required skills. */
export const CATEGORY_SKILL_LIMIT = 3;

const CATEGORY_SKILLS: Readonly<Record<string, string>> = {
  womens_apparel: 'womens_apparel',
  mens_apparel: 'mens_apparel',
  footwear: 'footwear',
  accessories: 'accessories',
};

const STYLE_SKILLS: Readonly<Record<string, string>> = {
  business: 'workwear',
  office: 'workwear',
  workwear: 'workwear',
  evening: 'occasion_wear',
  formal: 'occasion_wear',
  occasion: 'occasion_wear',
  cocktail: 'occasion_wear',
};

/**
 * Skills an appointment needs: the service itself (`personal-styling` -> `personal_styling`), then
 * skills for her first CATEGORY_SKILL_LIMIT top categories (womens-apparel -> womens_apparel,
 * mens-apparel -> mens_apparel, footwear, accessories; other categories need no special skill),
 * then skills for her style (business -> workwear, evening -> occasion_wear). No duplicates.
 */
export function requiredSkillsFor(serviceType: string, customer: Customer360): string[] {
  const skills: string[] = [];
  const add = (skill: string | undefined): void => {
    if (skill !== undefined && skill !== '' && !skills.includes(skill)) skills.push(skill);
  };
  add(normaliseKey(serviceType));
  for (const category of customer.topCategories.slice(0, CATEGORY_SKILL_LIMIT)) {
    add(CATEGORY_SKILLS[normaliseKey(category)]);
  }
  for (const tag of customer.styleTags) add(STYLE_SKILLS[normaliseKey(tag)]);
  return skills;
}

function clamp(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min;
  return Math.min(max, Math.max(min, value));
}

function nonNegativeInt(value: number): number {
  return Number.isFinite(value) ? Math.max(0, Math.floor(value)) : 0;
}

function skillFraction(serviceSkill: string, required: readonly string[], has: ReadonlySet<string>): number {
  const derived = required.filter((s) => s !== serviceSkill);
  const derivedShare = derived.length === 0 ? 0 : derived.filter((s) => has.has(s)).length / derived.length;
  const hasService = serviceSkill !== '' && required.includes(serviceSkill);
  if (!hasService) return derived.length === 0 ? 0 : derivedShare;
  const serviceShare = has.has(serviceSkill) ? 1 : 0;
  return derived.length === 0 ? serviceShare : 0.5 * serviceShare + 0.5 * derivedShare;
}

function loadLabel(booked: number, max: number): string {
  const ratio = booked / max;
  if (ratio <= 1 / 3) return 'Light day';
  if (ratio < 2 / 3) return 'Moderate day';
  return 'Busy day';
}

function rankOne(c: StylistCandidate, serviceSkill: string, required: readonly string[], customer: Customer360): RankedStylist {
  const has = new Set(c.skills.map(normaliseKey));
  const rating = clamp(c.rating, 0, 5);
  const past = nonNegativeInt(c.pastSessionsWithCustomer);
  const booked = nonNegativeInt(c.appointmentsThatDay);
  const max = nonNegativeInt(c.maxDailyAppointments);
  const conflicts = nonNegativeInt(c.conflictingAppointments);

  const skillPoints = STYLIST_WEIGHTS.skills * skillFraction(serviceSkill, required, has);
  const ratingPoints = (STYLIST_WEIGHTS.rating * rating) / 5;
  const historyPoints = STYLIST_WEIGHTS.history * (1 - 0.5 ** past);
  const loadPoints = max === 0 ? 0 : STYLIST_WEIGHTS.load * clamp(1 - booked / max, 0, 1);
  const score = roundTo(clamp(skillPoints + ratingPoints + historyPoints + loadPoints, 0, 100), 1);

  const fullDay = booked >= max;
  const available = c.onShiftForSlot && conflicts === 0 && !fullDay;

  const reasons: string[] = [];
  if (!c.onShiftForSlot) reasons.push('Not on shift for this slot');
  if (conflicts > 0) reasons.push(`Already booked: ${pluralise(conflicts, 'overlapping appointment')}`);
  if (fullDay) {
    reasons.push(max === 0 ? 'Takes no appointments that day' : `Fully booked: ${booked} of ${max} appointments`);
  }

  reasons.push(`Rated ${rating.toFixed(1)} of 5`);

  const matched = required.filter((s) => has.has(s));
  const missing = required.filter((s) => !has.has(s));
  if (matched.length > 0) reasons.push(`Skilled in ${joinList(matched.map(humanise))}`);
  if (missing.length > 0) reasons.push(`Not skilled in ${joinList(missing.map(humanise))}`);

  const who = customer.firstName !== '' ? customer.firstName : 'this customer';
  reasons.push(past === 0 ? `No past sessions with ${who}` : `${pluralise(past, 'past session')} with ${who}`);

  if (!fullDay) reasons.push(`${loadLabel(booked, max)}: ${booked} of ${max} appointments booked`);

  return { ...c, skills: [...c.skills], available, score, reasons };
}

/**
 * Ranks candidates: available first, then score (desc), then rating (desc), then staffId (asc),
 * so equal inputs always give the same order.
 */
export function rankStylists(input: { serviceType: string; customer: Customer360; candidates: StylistCandidate[] }): RankedStylist[] {
  const serviceSkill = normaliseKey(input.serviceType);
  const required = requiredSkillsFor(input.serviceType, input.customer);
  return input.candidates
    .map((c) => rankOne(c, serviceSkill, required, input.customer))
    .sort(
      (a, b) =>
        Number(b.available) - Number(a.available) || b.score - a.score || clamp(b.rating, 0, 5) - clamp(a.rating, 0, 5) || compareStrings(a.staffId, b.staffId),
    );
}
