export interface DockerPushExecutorOptions {
  tags?: string[];
  engine?: 'auto' | 'docker' | 'podman';
  engineTimeout?: number;
  transferTimeout?: number;
}
