export interface ComposeExecutorOptions {
  command: 'up' | 'down';
  file?: string;
  services?: string[];
  timeout?: number;
  volumes?: boolean;
  engineTimeout?: number;
  transferTimeout?: number;
}
