/** Date functions. */
import { DateFormatError, DEFAULT_DATE_TIME_STYLES, dateAdd, dateDiff, formatDateTime, isDateInterval, parseDateTime, parseDateTimeStyles, parseExact } from '../datetime.ts';
import type { DateInterval } from '../datetime.ts';
import { EvaluationError } from '../errors.ts';
import { currentTime } from '../runtime.ts';
import type { CallSite, FunctionImplementation } from '../runtime.ts';
import { DateTimeValue, normalizeInteger, toBigInt, toInt, toScalar, toText } from '../values.ts';
import type { Value } from '../values.ts';
import { arg, constant, supplied, textArg } from './util.ts';

/** Runs `f`, turning date parsing/formatting failures into EvaluationErrors of this call. */
function guarded<T>(site: CallSite, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof DateFormatError) throw site.error('InvalidDate', `${site.name}: ${e.message}`);
    if (e instanceof EvaluationError && e.functionName === null) throw site.error(e.code, `${site.name}: ${e.message}`);
    throw e;
  }
}

/** A DateTime argument: a DateTime, or a string DateTime.Parse understands. */
function toDate(site: CallSite, v: Value, param: string): DateTimeValue | null {
  const s = toScalar(v, site.name, param);
  if (s === null) return null;
  if (s instanceof DateTimeValue) return s;
  if (typeof s === 'string') return guarded(site, () => parseDateTime(s));
  throw site.error('InvalidDate', `${site.name}: parameter '${param}' must be a date/time`);
}

function interval(site: CallSite, v: Value): DateInterval {
  const t = toText(v, site.name, 'interval');
  if (t === null || !isDateInterval(t)) {
    throw site.error('InvalidArgument', `${site.name}: '${t ?? 'null'}' is not an interval (yyyy, q, m, y, d, w, ww, h, n, s)`);
  }
  return t;
}

export const DATE_FUNCTIONS: Record<string, FunctionImplementation> = {
  CDate: (site) => {
    const e = arg(site, 0);
    return (ctx) => {
      const d = toDate(site, e(ctx), 'expression');
      return d === null ? null : d.kind === 'Utc' ? d : d.withKind('Utc');
    };
  },
  Now: () => (ctx) => currentTime(ctx),
  DateAdd: (site) => {
    const iv = arg(site, 0);
    const amount = arg(site, 1);
    const dt = arg(site, 2);
    return (ctx) => {
      const i = interval(site, iv(ctx));
      const n = toInt(amount(ctx), 'DateAdd', 'value');
      if (n === null) throw site.error('InvalidArgument', 'DateAdd: value is null');
      const d = toDate(site, dt(ctx), 'dateTime');
      if (d === null) return null;
      return guarded(site, () => dateAdd(i, n, d));
    };
  },
  DateDiff: (site) => {
    const iv = arg(site, 0);
    const a = arg(site, 1);
    const b = arg(site, 2);
    return (ctx) => {
      const i = interval(site, iv(ctx));
      const d1 = toDate(site, a(ctx), 'date1');
      const d2 = toDate(site, b(ctx), 'date2');
      if (d1 === null || d2 === null) return null;
      return dateDiff(i, d1, d2);
    };
  },
  DateFromNum: (site) => {
    const e = arg(site, 0);
    return (ctx) => {
      const n = toBigInt(e(ctx), 'DateFromNum', 'value');
      if (n === null) return null;
      return guarded(site, () => DateTimeValue.fromFileTime(n));
    };
  },
  NumFromDate: (site) => {
    const e = arg(site, 0);
    return (ctx) => {
      const d = toDate(site, e(ctx), 'value');
      return d === null ? null : normalizeInteger(d.fileTime);
    };
  },
  FormatDateTime: (site) => {
    const src = arg(site, 0);
    const stylesArg = supplied(site, 1) ? textArg(site, 1, 'dateTimeStyles') : null;
    const stylesConst = constant(site, 1);
    const fixedStyles =
      stylesArg === null
        ? DEFAULT_DATE_TIME_STYLES
        : stylesConst !== undefined
          ? guarded(site, () => parseDateTimeStyles(toText(stylesConst, 'FormatDateTime', 'dateTimeStyles') ?? ''))
          : null;
    const inFmt = textArg(site, 2, 'inputFormat');
    const outFmt = textArg(site, 3, 'outputFormat');
    return (ctx) => {
      const v = toScalar(src(ctx), 'FormatDateTime', 'source');
      if (v === null) return null;
      const output = outFmt(ctx);
      if (output === null || output === '') throw site.error('InvalidFormat', 'FormatDateTime: outputFormat is empty');
      return guarded(site, () => {
        let d: DateTimeValue;
        if (v instanceof DateTimeValue) d = v;
        else {
          const input = inFmt(ctx);
          if (input === null || input === '') throw new DateFormatError('inputFormat is empty');
          const styles = fixedStyles ?? parseDateTimeStyles(stylesArg?.(ctx) ?? '');
          d = parseExact(toText(v, 'FormatDateTime', 'source') ?? '', input, styles, currentTime(ctx));
        }
        return formatDateTime(d, output);
      });
    };
  },
};
