/**
 * A block of configuration that a feature brings with it (a payment gateway's
 * `payment.<name>` block, for instance) instead of being written into
 * AppConfig. `loadConfig` reads it from the same YAML files and environment,
 * validates it with its class-validator schema at boot like every other key,
 * and hands it out through `AppConfig.section(schema)`.
 */
export interface ConfigSection<T extends SectionSettings = SectionSettings> {
  /** Its dotted key in config/default.yaml ('payment.<gateway>'). */
  path: string;
  schema: new () => T;
  /** Environment variable → key inside the block (<GATEWAY>_PID → 'pid'). */
  env?: Readonly<Record<string, string>>;
}

/** What a section's rules may look at beyond its own keys. */
export interface SectionContext {
  isProduction: boolean;
  /** Every other section, validated. */
  others: readonly SectionSettings[];
}

/**
 * The base of a section's schema class. Its hooks run after every section
 * passed its own validation, in the order the sections were given.
 */
export abstract class SectionSettings {
  /** A rule across keys, or against the other sections: one line naming the key, or null. */
  problem(_context: SectionContext): string | null {
    return null;
  }

  /** Fills a default that depends on the other sections. */
  resolve(_context: SectionContext): void {}

  /** Values no other section may share (a signing key used twice lets one gateway forge the other's callbacks). */
  secrets(): string[] {
    return [];
  }
}
