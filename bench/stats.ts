// Figures the benchmarks share.

/** The middle value (the mean of the two middle ones for an even count). */
export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The median of one numeric field over records that may lack it; undefined when none has it. */
export function medianOf<T>(records: T[], key: { [K in keyof T]: T[K] extends number | undefined ? K : never }[keyof T]): number | undefined {
  const values = records.map((r) => r[key] as number | undefined).filter((v): v is number => v !== undefined);
  return values.length ? median(values) : undefined;
}
