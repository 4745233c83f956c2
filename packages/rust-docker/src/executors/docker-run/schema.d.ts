export interface DockerRunExecutorOptions {
  image?: string;
  port?: number;
  hostPort?: number;
  env?: Record<string, string>;
  hardened?: boolean;
}
