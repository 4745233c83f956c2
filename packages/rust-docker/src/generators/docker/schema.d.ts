import type { RuntimeVariant } from '../../docker/dockerfile';

export interface DockerGeneratorSchema {
  project: string;
  runtime?: RuntimeVariant;
  port?: number;
  hostPort?: number;
  bin?: string;
  healthcheck?: boolean;
  runtimeFiles?: string | string[];
  workdir?: string;
  force?: boolean;
  skipFormat?: boolean;
}
