export interface CiGeneratorSchema {
  provider?: import('./generator').CiProvider;
  /** Comma-separated (or repeated) target names for `nx affected -t`. */
  targets?: string | string[];
  nodeVersion?: string | number;
  push?: boolean;
  registry?: string;
  defaultBranch?: string;
  force?: boolean;
  skipFormat?: boolean;
}
