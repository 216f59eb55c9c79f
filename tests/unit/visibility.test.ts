import { noAccessMessage, runStoreIds, runVisibleTo } from '../../domain/visibility';

describe('runVisibleTo: a run is visible to whoever sees any of its stores', () => {
  test.each([
    { case: 'one store, seen', run: ['S001'], visible: ['S001'], expected: true },
    { case: 'one store, not seen', run: ['S001'], visible: ['S002'], expected: false },
    { case: 'two stores, one seen', run: ['S001', 'S002'], visible: ['S002', 'S009'], expected: true },
    { case: 'two stores, neither seen', run: ['S001', 'S002'], visible: ['S003'], expected: false },
    { case: 'viewer of every store', run: ['S001'], visible: null, expected: true },
    { case: 'chain-wide run (no store)', run: [], visible: ['S003'], expected: true },
    { case: 'chain-wide run, viewer of no store', run: [], visible: [], expected: true },
    { case: 'viewer of no store', run: ['S001'], visible: [], expected: false },
  ])('$case', ({ run, visible, expected }) => {
    expect(runVisibleTo(run, visible)).toBe(expected);
  });

  test('the refusal names the caller and the run’s stores', () => {
    expect(noAccessMessage('alex', ['S001', 'S002'])).toBe('alex has no access to store S001, S002.');
  });
});

describe('runStoreIds: StoreIds, else StoreId for a run started before StoreIds existed', () => {
  test.each([
    { case: 'both set: StoreIds wins', storeIds: ['S001', 'S002'], storeId: 'S001', expected: ['S001', 'S002'] },
    { case: 'StoreId only (older run)', storeIds: undefined, storeId: 'S003', expected: ['S003'] },
    { case: 'neither (chain-wide)', storeIds: undefined, storeId: undefined, expected: [] },
    { case: 'StoreIds empty', storeIds: [], storeId: undefined, expected: [] },
  ])('$case', ({ storeIds, storeId, expected }) => {
    expect(runStoreIds(storeIds, storeId)).toEqual(expected);
  });
});
