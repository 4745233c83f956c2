export interface DockerPushExecutorOptions {
  tags?: string[];
}
