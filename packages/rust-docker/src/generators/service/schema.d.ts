export interface ServiceGeneratorSchema {
  name: string;
  directory?: string;
  port?: number;
  tags?: string;
  deps?: string | string[];
  skipFormat?: boolean;
}
