import { describe, expect, it } from 'vitest';
import { deliveryLabel, formatDayHeading, formatListTime, sameDay, typingText } from './format';

const UTC = { locale: 'en-GB', timeZone: 'UTC' };
const NOW = new Date('2026-11-24T15:00:00Z'); // a Tuesday

describe('formatListTime', () => {
  it('shows the clock for today, "Yesterday", the weekday this week, then the date', () => {
    expect(formatListTime('2026-11-24T09:05:00Z', NOW, UTC)).toBe('9:05');
    expect(formatListTime('2026-11-23T23:59:00Z', NOW, UTC)).toBe('Yesterday');
    expect(formatListTime('2026-11-20T10:00:00Z', NOW, UTC)).toBe('Fri');
    expect(formatListTime('2026-03-12T10:00:00Z', NOW, UTC)).toBe('12 Mar');
    expect(formatListTime('2025-03-12T10:00:00Z', NOW, UTC)).toBe('12 Mar 2025');
  });

  it('decides "today" in the reader\'s time zone', () => {
    // 23:30 UTC on the 23rd is 08:30 on the 24th in Tokyo: yesterday in London, today in Tokyo.
    const earlyMorning = new Date('2026-11-24T02:00:00Z');
    expect(formatListTime('2026-11-23T23:30:00Z', earlyMorning, UTC)).toBe('Yesterday');
    expect(formatListTime('2026-11-23T23:30:00Z', earlyMorning, { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe(
      '8:30',
    );
  });
});

describe('formatDayHeading', () => {
  it('names today and yesterday, and spells out older days', () => {
    expect(formatDayHeading('2026-11-24T01:00:00Z', NOW, UTC)).toBe('Today');
    expect(formatDayHeading('2026-11-23T01:00:00Z', NOW, UTC)).toBe('Yesterday');
    expect(formatDayHeading('2026-11-02T01:00:00Z', NOW, UTC)).toBe('Monday, 2 November 2026');
  });

  it('tells whether two messages are on the same day', () => {
    expect(sameDay('2026-11-24T01:00:00Z', '2026-11-24T23:00:00Z', UTC)).toBe(true);
    expect(sameDay('2026-11-23T23:00:00Z', '2026-11-24T01:00:00Z', UTC)).toBe(false);
  });
});

describe('deliveryLabel', () => {
  it('says a waiting message will go when the connection is back', () => {
    expect(deliveryLabel('sending', 'connected')).toBe('Sending…');
    expect(deliveryLabel('sending', 'reconnecting')).toBe('Waiting for connection');
    expect(deliveryLabel('read', 'offline')).toBe('Read');
  });
});

describe('typingText', () => {
  it('names one or two typists and counts more', () => {
    expect(typingText([])).toBe('');
    expect(typingText([{ userId: 1, name: 'Ada' }])).toBe('Ada is typing…');
    expect(typingText([{ userId: 1, name: 'Ada' }, { userId: 3, name: 'Bo' }])).toBe('Ada and Bo are typing…');
    expect(
      typingText([
        { userId: 1, name: 'Ada' },
        { userId: 3, name: 'Bo' },
        { userId: 4, name: 'Cy' },
      ]),
    ).toBe('3 people are typing…');
  });
});
