/**
 * What the synchronization service needs from the template catalog.
 * The catalog itself (built-in factories and the application gallery)
 * lives beside this file; the service sees only this shape.
 */
import type { KeyValuePairT, SynchronizationSchemaT } from '../../graph/sync-schemas.ts';

export interface TemplateFactory {
  /** Well-known factory tag (`scim`, `API2AAD`, …). */
  factoryTag: string;
  /** The id jobs name in `templateId` and the prefix of their ids. */
  templateId: string;
  description: string;
  metadata: { key: string; value: string }[];
  jobSettings: KeyValuePairT[];
  /** Interval a started job runs at unless the job was given its own. */
  defaultInterval: string;
  /** A fresh copy of the factory's default schema. */
  defaultSchema(): SynchronizationSchemaT;
}

export interface GalleryApplicationTemplate {
  id: string;
  displayName: string;
  description: string | null;
  homePageUrl: string | null;
  logoUrl: string | null;
  publisher: string;
  categories: string[];
  supportedProvisioningTypes: string[];
  supportedSingleSignOnModes: string[];
  /** Factories whose templates an instance of this app gets. */
  factoryTags: string[];
}

export interface TemplateCatalog {
  factory(factoryTag: string): TemplateFactory | undefined;
  factories(): TemplateFactory[];
  gallery(): GalleryApplicationTemplate[];
  galleryTemplate(id: string): GalleryApplicationTemplate | undefined;
}
