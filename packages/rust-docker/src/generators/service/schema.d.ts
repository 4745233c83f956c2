export interface ServiceGeneratorSchema {
  name: string;
  directory?: string;
  port?: number;
  framework?: import('./generator').ServiceFramework;
  runtime?: import('../../docker/dockerfile').RuntimeVariant;
  tags?: string;
  deps?: string | string[];
  with?: string | string[];
  skipFormat?: boolean;
}
