export interface DockerPushExecutorOptions {
  tags?: string[];
  engine?: 'auto' | 'docker' | 'podman';
}
