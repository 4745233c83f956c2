import { formatBytes, lastLines } from './docker-cli';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [994, '994 B'],
    [1000, '1.00 kB'],
    [1536, '1.54 kB'],
    [999_999, '1.00 MB'],
    [12_345_678, '12.35 MB'],
    [1e9, '1.00 GB'],
    [2_500_000_000, '2.50 GB'],
  ])('formats %d bytes as %s, in decimal units like docker images', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it.each([
    [995, '995 B'],
    [999, '999 B'],
  ])('keeps %d bytes, just under 1 kB, in whole bytes (%s), not "1.00 kB"', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('lastLines', () => {
  it('keeps the last lines of trimmed text', () => {
    expect(lastLines('\na\nb\nc\n\n', 2)).toBe('b\nc');
    expect(lastLines('one', 5)).toBe('one');
  });
});
