/**
 * What the synchronization service needs from the template catalog. The
 * built-in catalog (catalog.ts) implements it; the service sees only this.
 */
import type { KeyValuePairT, SynchronizationSchemaT } from '../../graph/sync-schemas.ts';

/**
 * One kind of synchronization job, keyed by its factory tag.
 */
export interface TemplateFactory {
  /** Well-known tag telling the engine which implementation to use (`scim`, `API2AAD`, …). */
  readonly factoryTag: string;
  /** The id jobs name in `templateId` and the prefix of their ids. */
  readonly templateId: string;
  readonly description: string;
  /** Template metadata (`synchronizationMetadata` keys). A fresh array on every read. */
  readonly metadata: { key: string; value: string }[];
  /** `synchronizationJobSettings` a new job inherits; values are strings, as on the wire. A fresh array on every read. */
  readonly jobSettings: KeyValuePairT[];
  /** ISO 8601 interval a started job runs at unless the job was given its own. */
  readonly defaultInterval: string;
  /** The default schema, without `id` (the caller sets the template or job id). A deep copy per call. */
  defaultSchema(): SynchronizationSchemaT;
}

/**
 * A Graph v1.0 `applicationTemplate` plus the factories an instance of it
 * gets (`factoryTags`, not part of the Graph entity: strip it on the wire).
 */
export interface GalleryApplicationTemplate {
  id: string;
  displayName: string;
  description: string | null;
  homePageUrl: string | null;
  logoUrl: string | null;
  publisher: string;
  /** Graph's category names (`Developer services`, `Human resources`, …). */
  categories: string[];
  /** The only valid value is `sync`. */
  supportedProvisioningTypes: string[];
  /** `oidc`, `password`, `saml`, `notSupported`. */
  supportedSingleSignOnModes: string[];
  /** Factories whose templates an instance of this app gets. */
  factoryTags: string[];
}

/** What the synchronization service and the gallery routes read. */
export interface TemplateCatalog {
  factory(factoryTag: string): TemplateFactory | undefined;
  factories(): TemplateFactory[];
  gallery(): GalleryApplicationTemplate[];
  galleryTemplate(id: string): GalleryApplicationTemplate | undefined;
}
