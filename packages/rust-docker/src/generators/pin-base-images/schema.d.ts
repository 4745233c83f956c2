export interface PinBaseImagesGeneratorSchema {
  project?: string;
  pull?: boolean;
  engine?: 'auto' | 'docker' | 'podman';
  engineTimeout?: number;
  transferTimeout?: number;
  skipFormat?: boolean;
}
