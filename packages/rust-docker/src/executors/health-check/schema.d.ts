export interface HealthCheckExecutorOptions {
  image?: string;
  port?: number;
  path?: string;
  expectStatus?: number;
  expectBody?: string;
  timeout?: number;
  env?: Record<string, string | number | boolean>;
  hardened?: boolean;
  init?: boolean;
  engine?: 'auto' | 'docker' | 'podman';
  engineTimeout?: number;
  transferTimeout?: number;
}
