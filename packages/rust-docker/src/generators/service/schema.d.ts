export interface ServiceGeneratorSchema {
  name: string;
  directory?: string;
  port?: number;
  tags?: string;
  skipFormat?: boolean;
}
