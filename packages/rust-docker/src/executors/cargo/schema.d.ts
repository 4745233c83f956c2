export interface CargoExecutorOptions {
  command: 'build' | 'test' | 'clippy';
  package?: string;
  release?: boolean;
  outputPath?: string;
  args?: string[];
  toolArgs?: string[];
}
