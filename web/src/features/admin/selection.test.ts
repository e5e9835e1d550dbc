import { describe, expect, it } from 'vitest';
import { EMPTY_SELECTION, selectAllState, selectionReducer, visibleSelection, type Selection } from './selection';

const apply = (state: Selection, ...actions: Parameters<typeof selectionReducer>[1][]) =>
  actions.reduce(selectionReducer, state);

describe('bulk selection', () => {
  it('ticks and unticks one row', () => {
    const one = apply(EMPTY_SELECTION, { type: 'toggle', id: 3 });
    expect([...one]).toEqual([3]);
    expect([...apply(one, { type: 'toggle', id: 3 })]).toEqual([]);
  });

  it('"select all" ticks every visible row, and unticks them all once all are ticked', () => {
    const some = apply(EMPTY_SELECTION, { type: 'toggle', id: 2 });
    const all = apply(some, { type: 'toggle_all', visible: [1, 2, 3] });
    expect(selectAllState(all, [1, 2, 3])).toBe('all');
    expect(selectAllState(apply(all, { type: 'toggle_all', visible: [1, 2, 3] }), [1, 2, 3])).toBe('none');
  });

  it('says "some" when only part of the page is ticked', () => {
    expect(selectAllState(apply(EMPTY_SELECTION, { type: 'toggle', id: 1 }), [1, 2])).toBe('some');
    expect(selectAllState(EMPTY_SELECTION, [1, 2])).toBe('none');
  });

  it('acts only on rows still on screen, in screen order', () => {
    const state = apply(EMPTY_SELECTION, { type: 'toggle', id: 9 }, { type: 'toggle', id: 4 }, { type: 'toggle', id: 7 });
    // Row 9 left the page (filtered out by a live update).
    expect(visibleSelection(state, [7, 4, 5])).toEqual([7, 4]);
    expect(selectAllState(state, [7, 4])).toBe('all');
  });

  it('"select all" on an empty page selects nothing', () => {
    expect(apply(EMPTY_SELECTION, { type: 'toggle_all', visible: [] }).size).toBe(0);
  });

  it('clears', () => {
    expect(apply(EMPTY_SELECTION, { type: 'toggle', id: 1 }, { type: 'clear' }).size).toBe(0);
  });
});
