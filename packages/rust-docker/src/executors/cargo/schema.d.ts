export interface CargoExecutorOptions {
  command: 'build' | 'test' | 'clippy' | 'tree';
  package?: string;
  release?: boolean;
  static?: boolean;
  outputPath?: string;
  args?: string[];
  toolArgs?: string[];
}
