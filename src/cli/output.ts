/**
 * How commands print. People get aligned tables and `key: value` lists;
 * scripts (`--json`) get the Graph JSON the server sent, one document per
 * command (the exception, `logs list --follow --json`, prints one
 * provisioning event per line).
 */

/** One column of a table: a header and how to read the cell from a row. */
export interface Column<T> {
  header: string;
  get: (row: T) => unknown;
}

/** A `label: value` line of a detail view; `undefined` values are left out. */
export type Field = readonly [label: string, value: unknown];

/** A cell as text: empty for null, `true`/`false`, lists joined with commas, objects as compact JSON. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : cell(x))).join(', ');
  return JSON.stringify(v);
}

/** Display width, counting each code point once (ids and names here are not wide CJK text). */
function width(s: string): number {
  return [...s].length;
}

/**
 * An aligned table: upper-case headers, two spaces between columns, no
 * trailing spaces. Cells never wrap, so `grep` and `awk` keep working.
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const text = rows.map((r) => columns.map((c) => cell(c.get(r)).replace(/[\r\n\t]+/g, ' ')));
  const headers = columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(width(h), ...text.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c)))).join('  ').trimEnd();
  return [line(headers), ...text.map(line)].join('\n') + '\n';
}

/** A `label: value` list with the values aligned; fields whose value is undefined are skipped. */
export function renderFields(fields: readonly Field[]): string {
  const shown = fields.filter(([, v]) => v !== undefined);
  const w = Math.max(0, ...shown.map(([k]) => width(k)));
  return shown.map(([k, v]) => `${k}:${' '.repeat(w - width(k) + 1)}${cell(v)}`.trimEnd()).join('\n') + '\n';
}

/** Pretty JSON with a final newline, as written to stdout and to `--out` files. */
export function jsonText(doc: unknown): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/** The printer a command gets: it knows whether the user asked for JSON. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly write: (text: string) => void,
  ) {}

  /**
   * Prints a result: the JSON document with `--json`, else what `human`
   * renders. Every command prints through here exactly once.
   */
  result(doc: unknown, human: () => string): void {
    this.write(this.json ? jsonText(doc) : human());
  }

  /** A collection as a table (or "No … found."), or its JSON document. */
  collection<T>(doc: { value: readonly T[] }, columns: readonly Column<T>[], noun: string): void {
    this.result(doc, () => (doc.value.length ? renderTable(doc.value, columns) : `No ${noun} found.\n`));
  }

  /**
   * The outcome of an operation Graph answers with 204 No Content: a
   * sentence for people; for scripts `{"value": true}`, the same document
   * the Graph PowerShell cmdlets print with -PassThru.
   */
  done(sentence: string): void {
    this.result({ value: true }, () => `${sentence}\n`);
  }

  /** One JSON value on its own line (streaming output such as `--follow --json`). */
  jsonLine(doc: unknown): void {
    this.write(JSON.stringify(doc) + '\n');
  }

  /** Raw text, for output that has no JSON form (help, prompts answered). */
  text(text: string): void {
    this.write(text);
  }
}
