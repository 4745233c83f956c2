import type { EngineRequest } from '../../docker/engine';

export interface DockerBuildExecutorOptions {
  dockerfile?: string;
  image?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  context?: 'pruned' | 'workspace';
  vendor?: boolean;
  engine?: EngineRequest;
  stage?: string;
  /** The former name of `stage`, still read from configuration files (Nx maps it to `stage`). */
  target?: string;
  platform?: string;
  network?: string;
  noCache?: boolean;
  push?: boolean;
  maxImageSize?: number | string;
  strategy?: 'compile' | 'prebuilt';
  bin?: string;
  archive?: boolean | number | string;
  builder?: string;
  outputFile?: string;
  requirePinnedBaseImages?: boolean;
  engineTimeout?: number;
  buildTimeout?: number;
  transferTimeout?: number;
}
