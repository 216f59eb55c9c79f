import type { Customer360 } from '../../domain/customer-360';
import { customer360 } from '../support/customers';
import { rankStylists, requiredSkillsFor, STYLIST_WEIGHTS, type StylistCandidate } from '../../domain/stylist-ranking';

function customer(overrides: Partial<Customer360> = {}): Customer360 {
  return customer360(overrides);
}

function candidate(overrides: Partial<StylistCandidate> = {}): StylistCandidate {
  return {
    staffId: 'STF-X',
    name: 'Some Stylist',
    email: 'stylist@example.com',
    skills: [],
    rating: 4,
    onShiftForSlot: true,
    conflictingAppointments: 0,
    appointmentsThatDay: 0,
    maxDailyAppointments: 6,
    pastSessionsWithCustomer: 0,
    ...overrides,
  };
}

const VICTORIA_SKILLS = ['personal_styling', 'womens_apparel', 'accessories', 'footwear', 'workwear', 'occasion_wear'];

const maria = candidate({
  staffId: 'STF-MARIA',
  name: 'Maria Santos',
  skills: ['personal_styling', 'womens_apparel', 'accessories', 'workwear', 'occasion_wear'],
  rating: 4.9,
  appointmentsThatDay: 1,
  pastSessionsWithCustomer: 3,
});
const james = candidate({
  staffId: 'STF-JAMES',
  name: 'James Okafor',
  skills: ['personal_styling', 'mens_apparel'],
  rating: 5,
});
const priya = candidate({
  staffId: 'STF-PRIYA',
  name: 'Priya Shah',
  skills: VICTORIA_SKILLS,
  rating: 4.7,
  onShiftForSlot: false,
});

describe('requiredSkillsFor', () => {
  it.each<[string, string, string[], string[], string[]]>([
    [
      'Victoria: service, categories, then style',
      'personal_styling',
      ['womens-apparel', 'accessories', 'footwear'],
      ['classic', 'business', 'evening'],
      VICTORIA_SKILLS,
    ],
    ['service type written with a dash', 'personal-styling', [], [], ['personal_styling']],
    ['mens apparel and workwear', 'personal_styling', ['mens-apparel'], ['business'], ['personal_styling', 'mens_apparel', 'workwear']],
    ['unmapped categories need no skill', 'personal_styling', ['beauty', 'home', 'footwear'], [], ['personal_styling', 'footwear']],
    ['only the first three categories count', 'fitting', ['beauty', 'home', 'kids', 'footwear'], [], ['fitting']],
    ['style synonyms collapse', 'personal_styling', [], ['formal', 'evening', 'office', 'business'], ['personal_styling', 'occasion_wear', 'workwear']],
    ['no service type', '', ['accessories'], ['evening'], ['accessories', 'occasion_wear']],
  ])('%s', (_label, serviceType, topCategories, styleTags, expected) => {
    expect(requiredSkillsFor(serviceType, customer({ topCategories, styleTags }))).toEqual(expected);
  });
});

describe('rankStylists', () => {
  it('weights sum to 100', () => {
    expect(STYLIST_WEIGHTS.skills + STYLIST_WEIGHTS.rating + STYLIST_WEIGHTS.history + STYLIST_WEIGHTS.load).toBe(100);
  });

  it('recommends Maria for Victoria, for the right reasons', () => {
    const ranked = rankStylists({ serviceType: 'personal_styling', customer: customer(), candidates: [james, priya, maria] });
    expect(ranked.map((r) => [r.staffId, r.available, r.score])).toEqual([
      ['STF-MARIA', true, 91], // 36 skills + 29.4 rating + 13.125 history + 12.5 load
      ['STF-JAMES', true, 65], // 20 + 30 + 0 + 15
      ['STF-PRIYA', false, 83.2], // 40 + 28.2 + 0 + 15, but off shift
    ]);
    expect(ranked[0]!.reasons).toEqual([
      'Rated 4.9 of 5',
      'Skilled in personal styling, womens apparel, accessories, workwear and occasion wear',
      'Not skilled in footwear',
      '3 past sessions with Victoria',
      'Light day: 1 of 6 appointments booked',
    ]);
    expect(ranked[2]!.reasons[0]).toBe('Not on shift for this slot');
  });

  it.each<[string, Partial<StylistCandidate>, string]>([
    ['off shift', { onShiftForSlot: false }, 'Not on shift for this slot'],
    ['overlapping appointment', { conflictingAppointments: 1 }, 'Already booked: 1 overlapping appointment'],
    ['two overlapping appointments', { conflictingAppointments: 2 }, 'Already booked: 2 overlapping appointments'],
    ['full day', { appointmentsThatDay: 6, maxDailyAppointments: 6 }, 'Fully booked: 6 of 6 appointments'],
    ['over the daily max', { appointmentsThatDay: 7, maxDailyAppointments: 6 }, 'Fully booked: 7 of 6 appointments'],
    ['takes no appointments', { appointmentsThatDay: 0, maxDailyAppointments: 0 }, 'Takes no appointments that day'],
  ])('an unavailable stylist (%s) never outranks an available one', (_label, problem, reason) => {
    const star = candidate({ staffId: 'A-STAR', skills: VICTORIA_SKILLS, rating: 5, pastSessionsWithCustomer: 10, ...problem });
    const weak = candidate({ staffId: 'Z-WEAK', skills: [], rating: 1, appointmentsThatDay: 5, maxDailyAppointments: 6 });
    const ranked = rankStylists({ serviceType: 'personal_styling', customer: customer(), candidates: [star, weak] });
    expect(ranked.map((r) => [r.staffId, r.available])).toEqual([
      ['Z-WEAK', true],
      ['A-STAR', false],
    ]);
    expect(ranked[1]!.score).toBeGreaterThan(ranked[0]!.score);
    expect(ranked[1]!.reasons[0]).toBe(reason);
  });

  it.each<[string, StylistCandidate[], string[]]>([
    [
      'identical candidates: staffId ascending, whatever the input order',
      [candidate({ staffId: 'S3' }), candidate({ staffId: 'S1' }), candidate({ staffId: 'S2' })],
      ['S1', 'S2', 'S3'],
    ],
    [
      'equal score: higher rating first, before staffId',
      // 30 rating + 7.5 load  vs  22.5 rating + 15 load: both 37.5
      [
        candidate({ staffId: 'A-LOW-RATING', rating: 3.75, appointmentsThatDay: 0 }),
        candidate({ staffId: 'Z-HIGH-RATING', rating: 5, appointmentsThatDay: 3 }),
      ],
      ['Z-HIGH-RATING', 'A-LOW-RATING'],
    ],
    [
      'unavailable ones are ordered among themselves the same way',
      [
        candidate({ staffId: 'U2', onShiftForSlot: false }),
        candidate({ staffId: 'U1', onShiftForSlot: false }),
        candidate({ staffId: 'U0', onShiftForSlot: false, rating: 2 }),
        candidate({ staffId: 'A9' }),
      ],
      ['A9', 'U1', 'U2', 'U0'],
    ],
  ])('ties are deterministic: %s', (_label, candidates, expected) => {
    const forward = rankStylists({ serviceType: 'personal_styling', customer: customer(), candidates });
    const backward = rankStylists({ serviceType: 'personal_styling', customer: customer(), candidates: [...candidates].reverse() });
    expect(forward.map((r) => r.staffId)).toEqual(expected);
    expect(backward.map((r) => r.staffId)).toEqual(expected);
  });

  it.each<[string, Partial<StylistCandidate>, number]>([
    // baseline for customer(): rating 4 -> 24, load 0 of 6 -> 15, no skills, no history
    ['nothing but rating and an empty day', {}, 39],
    ['service skill alone is half the skill weight', { skills: ['personal_styling'] }, 59],
    ['all derived skills but not the service skill', { skills: VICTORIA_SKILLS.slice(1) }, 59],
    ['every required skill', { skills: VICTORIA_SKILLS }, 79],
    ['skills match regardless of case and dashes', { skills: ['Personal-Styling', 'WOMENS APPAREL'] }, 63],
    ['unrelated skills earn nothing', { skills: ['mens_apparel', 'tailoring'] }, 39],
    ['1 past session: +7.5', { pastSessionsWithCustomer: 1 }, 46.5],
    ['2 past sessions: +11.25', { pastSessionsWithCustomer: 2 }, 50.3],
    ['3 past sessions: +13.125', { pastSessionsWithCustomer: 3 }, 52.1],
    ['10 past sessions: nearly +15', { pastSessionsWithCustomer: 10 }, 54],
    ['half-booked day halves the load points', { appointmentsThatDay: 3 }, 31.5],
    ['rating above 5 is capped', { rating: 7 }, 45],
    ['negative rating counts as 0', { rating: -1 }, 15],
  ])('score: %s', (_label, overrides, expected) => {
    const [ranked] = rankStylists({ serviceType: 'personal_styling', customer: customer(), candidates: [candidate(overrides)] });
    expect(ranked!.score).toBe(expected);
  });

  it.each<[string, Partial<StylistCandidate>, Partial<Customer360>, string[]]>([
    ['rating to one decimal', { rating: 5 }, {}, ['Rated 5.0 of 5']],
    ['one past session, singular', { pastSessionsWithCustomer: 1 }, {}, ['1 past session with Victoria']],
    ['no history', {}, {}, ['No past sessions with Victoria']],
    ['no first name', {}, { firstName: '' }, ['No past sessions with this customer']],
    ['empty day is light', {}, {}, ['Light day: 0 of 6 appointments booked']],
    ['moderate day', { appointmentsThatDay: 3 }, {}, ['Moderate day: 3 of 6 appointments booked']],
    ['busy day', { appointmentsThatDay: 4 }, {}, ['Busy day: 4 of 6 appointments booked']],
    ['no skills at all', {}, {}, ['Not skilled in personal styling, womens apparel, accessories, footwear, workwear and occasion wear']],
    ['two skills', { skills: ['footwear', 'personal_styling'] }, {}, ['Skilled in personal styling and footwear']],
  ])('reasons: %s', (_label, overrides, customerOverrides, expected) => {
    const [ranked] = rankStylists({
      serviceType: 'personal_styling',
      customer: customer(customerOverrides),
      candidates: [candidate(overrides)],
    });
    expect(ranked!.reasons).toEqual(expect.arrayContaining(expected));
  });

  it('does not mutate its input and returns an empty list for no candidates', () => {
    const candidates = [james, maria];
    const copy = JSON.parse(JSON.stringify(candidates));
    rankStylists({ serviceType: 'personal_styling', customer: customer(), candidates });
    expect(candidates).toEqual(copy);
    expect(rankStylists({ serviceType: 'personal_styling', customer: customer(), candidates: [] })).toEqual([]);
  });
});
