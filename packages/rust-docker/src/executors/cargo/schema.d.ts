import type { CargoCommand, CargoSelection } from '../../cargo/cargo-options';

export interface CargoExecutorOptions extends CargoSelection {
  command: CargoCommand;
  static?: boolean;
  outputPath?: string;
  args?: string[];
  toolArgs?: string[];
}
