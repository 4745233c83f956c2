/**
 * A plain object (parsed JSON or TOML table), not null or an array. Kept free of imports:
 * the graph, which must not load @nx/devkit, checks its cache with it too.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
