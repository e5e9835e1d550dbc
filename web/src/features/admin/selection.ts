/**
 * Which queue rows are ticked for a bulk action. Only rows on screen can be selected: when the
 * page changes (another filter, a live update, the next page), rows that left it drop out of the
 * selection, so a bulk action never reaches a conversation the admin cannot see.
 */
export type Selection = ReadonlySet<number>;

export type SelectionAction =
  | { type: 'toggle'; id: number }
  /** The header checkbox: everything visible when not all of it is ticked, else nothing. */
  | { type: 'toggle_all'; visible: readonly number[] }
  | { type: 'clear' };

export const EMPTY_SELECTION: Selection = new Set();

export function selectionReducer(state: Selection, action: SelectionAction): Selection {
  switch (action.type) {
    case 'toggle': {
      const next = new Set(state);
      if (next.has(action.id)) next.delete(action.id);
      else next.add(action.id);
      return next;
    }
    case 'toggle_all': {
      const all = action.visible.length > 0 && action.visible.every((id) => state.has(id));
      return all ? EMPTY_SELECTION : new Set(action.visible);
    }
    case 'clear':
      return state.size === 0 ? state : EMPTY_SELECTION;
  }
}

/** The selected rows that are on screen, in screen order: what a bulk action applies to. */
export function visibleSelection(state: Selection, visible: readonly number[]): number[] {
  return visible.filter((id) => state.has(id));
}

/** The header checkbox's state for the rows on screen. */
export function selectAllState(state: Selection, visible: readonly number[]): 'none' | 'some' | 'all' {
  const count = visibleSelection(state, visible).length;
  if (count === 0) return 'none';
  return count === visible.length ? 'all' : 'some';
}
