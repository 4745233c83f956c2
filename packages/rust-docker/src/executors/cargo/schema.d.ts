export interface CargoExecutorOptions {
  command: 'build' | 'test' | 'clippy' | 'tree';
  package?: string;
  release?: boolean;
  outputPath?: string;
  args?: string[];
  toolArgs?: string[];
}
