import type { CargoSelection } from '../../cargo/cargo-options';

export interface ServeExecutorOptions extends Omit<CargoSelection, 'targetTriple'> {
  port?: number;
  env?: Record<string, string>;
  args?: string[];
  toolArgs?: string[];
  gracePeriod?: number;
}
