import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, queueQuery } from '../../api/admin';
import { filtersFromParams, isFiltered, paramsFromFilters, withFilters } from './filters';

const parse = (query: string) => filtersFromParams(new URLSearchParams(query));

describe('queue filters in the address', () => {
  it('reads every filter from the address', () => {
    expect(parse('status=in_progress&priority=urgent&assignee=me&tag=Billing&q=refund&sort=waiting&archived=1&page=3')).toEqual({
      status: 'in_progress',
      priority: 'urgent',
      assignee: 'me',
      tag: 'billing',
      q: 'refund',
      sort: 'waiting',
      archived: true,
      page: 3,
    });
  });

  it('falls back to the defaults for anything it does not know', () => {
    expect(parse('status=lost&priority=meh&assignee=-4&sort=random&archived=yes&page=0')).toEqual(DEFAULT_FILTERS);
    expect(parse('page=abc').page).toBe(1);
    expect(parse('')).toEqual(DEFAULT_FILTERS);
  });

  it('reads an admin id as a number and keeps "unassigned" apart', () => {
    expect(parse('assignee=42').assignee).toBe(42);
    expect(parse('assignee=unassigned').assignee).toBe('unassigned');
  });

  it('cuts a search longer than the server accepts', () => {
    expect(parse(`q=${'x'.repeat(250)}`).q).toHaveLength(200);
  });

  it('writes the shortest address, leaving defaults out, and reads back the same filters', () => {
    expect(paramsFromFilters(DEFAULT_FILTERS).toString()).toBe('');
    const filters = { ...DEFAULT_FILTERS, status: 'open' as const, assignee: 7, q: ' printer ', page: 2 };
    const params = paramsFromFilters(filters);
    expect(params.toString()).toBe('status=open&assignee=7&q=printer&page=2');
    expect(filtersFromParams(params)).toEqual({ ...filters, q: 'printer' });
  });

  it('goes back to page 1 when what is shown changes, but not when only the page changes', () => {
    const onPage3 = { ...DEFAULT_FILTERS, page: 3 };
    expect(withFilters(onPage3, { status: 'closed' }).page).toBe(1);
    expect(withFilters(onPage3, { page: 4 }).page).toBe(4);
  });

  it('tells a narrowed view from the whole queue (sort and archive do not narrow)', () => {
    expect(isFiltered(DEFAULT_FILTERS)).toBe(false);
    expect(isFiltered({ ...DEFAULT_FILTERS, sort: 'priority', archived: true, page: 2 })).toBe(false);
    expect(isFiltered({ ...DEFAULT_FILTERS, tag: 'vip' })).toBe(true);
    expect(isFiltered({ ...DEFAULT_FILTERS, assignee: 'unassigned' })).toBe(true);
  });
});

describe('the API query for a view', () => {
  it('turns "me" into my id and "unassigned" into the unassigned flag', () => {
    expect(queueQuery({ ...DEFAULT_FILTERS, assignee: 'me' }, 5)).toMatchObject({ adminId: 5 });
    const unassigned = queueQuery({ ...DEFAULT_FILTERS, assignee: 'unassigned' }, 5);
    expect(unassigned).toMatchObject({ unassigned: true });
    expect(unassigned).not.toHaveProperty('adminId');
  });

  it('sends only what narrows the list, plus the page', () => {
    expect(queueQuery(DEFAULT_FILTERS, 5)).toEqual({ page: 1, pageSize: 25 });
    expect(queueQuery({ ...DEFAULT_FILTERS, tag: ' VIP ', q: '  ', sort: 'oldest', archived: true }, 5)).toEqual({
      tag: 'vip',
      sort: 'oldest',
      archived: true,
      page: 1,
      pageSize: 25,
    });
  });
});
