import type { RuntimeVariant } from '../../docker/dockerfile';

export interface DockerGeneratorSchema {
  project: string;
  runtime?: RuntimeVariant;
  port?: number;
  bin?: string;
  healthcheck?: boolean;
  force?: boolean;
  skipFormat?: boolean;
}
