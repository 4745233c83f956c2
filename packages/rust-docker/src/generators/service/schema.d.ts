export interface ServiceGeneratorSchema {
  name: string;
  directory?: string;
  port?: number;
  runtime?: import('../../docker/dockerfile').RuntimeVariant;
  tags?: string;
  deps?: string | string[];
  skipFormat?: boolean;
}
