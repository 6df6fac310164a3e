/**
 * The inbound source port: what an inbound job reads from its source system.
 * The bulkUpload staging store implements it for API-driven jobs
 * (`StagedApiSource`); an LDAP/AD connector implements it for
 * `AD2AADProvisioning` jobs. The inbound cycle (cycle.ts) maps what it reads
 * with the job's schema and writes the directory.
 *
 * A source hands out changes in order, after a watermark, and is told when
 * the changes up to a watermark are durable in the directory (`commit`), so
 * it may forget them. A crash between read and commit replays them, which
 * is harmless: processing a record is idempotent (match, then update only
 * what differs).
 */

/** A value of a source attribute: LDAP gives string lists, SCIM strings, booleans and lists. */
export type InboundValue = string | boolean | number | readonly string[] | null;

/**
 * One source object. `attributes` are named as the job schema's source
 * object attributes (API2AAD: `userName`, `name.givenName`,
 * `emails[type eq "work"].value`, `urn:…:enterprise:2.0:User:manager`;
 * AD2AAD: `sAMAccountName`, `givenName`, `manager`, …). A reference
 * attribute (manager) holds the referenced object's **source anchor** (for
 * the API, the manager's externalId; an LDAP connector turns the manager's
 * DN into that entry's anchor, e.g. its entryUUID/objectGUID), or, when the
 * source cannot tell, a value of the referenced object's matching attribute.
 */
export interface InboundRecord {
  /** The source anchor (externalId, objectGUID, entryUUID). Empty: the record fails alone. */
  anchor: string;
  /** What the log shows as the record's name (DN, userName); optional. */
  displayName?: string;
  /**
   * The source object type when the source serves several (`user`, `group`);
   * absent: the source's {@link InboundSource.objectType}. A `group` record's
   * members attribute holds the members' anchors.
   */
  objectType?: string;
  attributes: Record<string, InboundValue>;
  /**
   * Problems the source already found in this record (a wrong type, a
   * missing schema URN): the record is logged as failed with these and not
   * processed. The source keeps the good records of the same batch.
   */
  problems?: string[];
}

export type InboundChange =
  | { kind: 'upsert'; record: InboundRecord }
  /** The object left the source (LDAP delete, moved out of every included container). */
  | { kind: 'delete'; anchor: string; displayName?: string };

export interface InboundBatch {
  changes: InboundChange[];
  /** Where the next read starts; pass it to `commit` once these changes are processed. */
  watermark: string | null;
  /** True when more changes are waiting after this batch. */
  hasMore: boolean;
}

export interface InboundSource {
  /** The log's `sourceSystem.displayName` (`API`, `Active Directory`). */
  readonly systemName: string;
  /** The log's `sourceIdentity.identityType` (the schema's source object name). */
  readonly objectType: string;
  /** Changes after `watermark` (null: from the start), oldest first, at most `limit`. */
  read(watermark: string | null, limit: number): Promise<InboundBatch>;
  /** The changes up to `watermark` are processed: the source may drop them and resume after it. */
  commit(watermark: string): Promise<void>;
  /** The watermark a cycle starts from (kept by the source, e.g. its staging table or a DirSync cookie). */
  currentWatermark(): Promise<string | null>;
  /**
   * provisionOnDemand: reads one object now by the id an admin gives (a DN,
   * or the anchor), whatever the watermark. Undefined when the source has no
   * such object. Sources without it do not offer provisioning on demand.
   */
  readSubject?(objectId: string): Promise<InboundSubject | undefined>;
  close?(): Promise<void>;
}

/** One object read for provisionOnDemand. */
export interface InboundSubject {
  /** The source object type (`user`, `group`). */
  objectType: string;
  /** The object's name in the source (its DN). */
  name: string;
  record: InboundRecord;
  /** Why the object is outside the source's scope (OU or group scoping); undefined when it is in scope. */
  outOfScope?: string;
}

/** Builds the source of an inbound job (per job: its secrets, settings and schema pick the connector). */
export interface InboundSourceFactory {
  /** The source for this job, or undefined when this factory does not serve its template. */
  create(job: { id: string; templateId: string; spId: string }, secrets: Record<string, string | undefined>): InboundSource | undefined;
}
