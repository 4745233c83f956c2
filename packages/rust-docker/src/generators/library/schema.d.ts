export interface LibraryGeneratorSchema {
  name: string;
  directory?: string;
  service?: string | string[];
  tags?: string;
  skipFormat?: boolean;
}
