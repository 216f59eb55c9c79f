import { readDayUnits } from '../../activities/model-retraining/sales-history';

describe("readDayUnits: a series' `offset:units` pairs into its dense days", () => {
  test.each<[string, string, number, number[]]>([
    ['nothing sold', '', 4, [0, 0, 0, 0]],
    ['one day', '2:7', 4, [0, 0, 7, 0]],
    ['several days, in any order, several digits', '3:12,0:5,1:140', 4, [5, 140, 0, 12]],
    ['a return booked against a day counts as 0', '1:-3,2:4', 3, [0, 0, 4]],
    ['days outside the window are ignored', '-1:9,0:1,4:9,12:9', 4, [1, 0, 0, 0]],
  ])('%s', (_name, text, days, expected) => {
    const units = new Array<number>(days).fill(0);
    readDayUnits(text, units);
    expect(units).toEqual(expected);
  });
});
