export interface ConvertToInferredGeneratorSchema {
  project?: string;
  skipFormat?: boolean;
}
