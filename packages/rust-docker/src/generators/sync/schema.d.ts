/** The sync generator takes no options: `nx sync` calls it with the Tree alone. */
export type SyncGeneratorSchema = Record<string, never>;
