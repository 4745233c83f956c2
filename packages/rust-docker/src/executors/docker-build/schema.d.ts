import type { EngineRequest } from '../../docker/engine';

export interface DockerBuildExecutorOptions {
  dockerfile?: string;
  image?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  context?: 'pruned' | 'workspace';
  vendor?: boolean;
  engine?: EngineRequest;
  outputFile?: string;
}
