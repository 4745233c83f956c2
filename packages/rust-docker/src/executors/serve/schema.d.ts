import type { CargoSelection } from '../../cargo/cargo-options';

export interface ServeExecutorOptions extends Omit<CargoSelection, 'triple'> {
  port?: number;
  env?: Record<string, string>;
  args?: string[];
  toolArgs?: string[];
  gracePeriod?: number;
}
