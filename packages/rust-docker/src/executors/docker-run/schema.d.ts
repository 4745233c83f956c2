export interface DockerRunExecutorOptions {
  image?: string;
  port?: number;
  hostPort?: number;
  env?: Record<string, string | number | boolean>;
  hardened?: boolean;
  init?: boolean;
  engine?: 'auto' | 'docker' | 'podman';
  engineTimeout?: number;
  transferTimeout?: number;
}
