export interface ReleasePublishExecutorOptions {
  image?: boolean;
  cargoPublish?: boolean;
  tags?: string[];
  registry?: string;
  verify?: boolean;
  engine?: 'auto' | 'docker' | 'podman';
  engineTimeout?: number;
  transferTimeout?: number;
  dryRun?: boolean;
  nxReleaseVersionData?: Record<string, { currentVersion?: string | null; newVersion?: string | null } | undefined>;
}
