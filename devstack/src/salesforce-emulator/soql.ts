// The SOQL slice the emulator understands (documented in devstack/README.md):
//   SELECT f1, f2, Rel__r.Field FROM Object [WHERE f = 'x' [AND g = 1 [AND h = true [AND k IN ('a','b')]]]]
//   [ORDER BY f [ASC|DESC]] [LIMIT n]
// Anything else is rejected with MALFORMED_QUERY, as Salesforce would for a syntax it cannot parse.

export type SoqlValue = string | number | boolean | null;
export interface SoqlCondition {
  field: string;
  op: '=' | '!=' | 'IN';
  value: SoqlValue | SoqlValue[];
}
export interface SoqlQuery {
  fields: string[];
  object: string;
  where: SoqlCondition[];
  orderBy?: { field: string; desc: boolean };
  limit?: number;
}

export class SoqlError extends Error {}

function parseLiteral(raw: string): SoqlValue {
  const t = raw.trim();
  if (/^'.*'$/s.test(t)) return t.slice(1, -1).replace(/\\'/g, "'");
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (/^null$/i.test(t)) return null;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new SoqlError(`unexpected token: '${t}'`);
}

export function parseSoql(q: string): SoqlQuery {
  const m =
    /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+([\w.]+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$/is.exec(
      q
    );
  if (!m) throw new SoqlError('unexpected token in query');
  const fields = m[1]!.split(',').map((f) => f.trim());
  if (fields.some((f) => !/^[\w.]+$/.test(f))) throw new SoqlError('unexpected token in field list');
  const where: SoqlCondition[] = [];
  if (m[3]) {
    for (const part of m[3].split(/\s+AND\s+/i)) {
      const inMatch = /^\s*([\w.]+)\s+IN\s*\((.*)\)\s*$/is.exec(part);
      if (inMatch) {
        where.push({ field: inMatch[1]!, op: 'IN', value: inMatch[2]!.split(',').map(parseLiteral) });
        continue;
      }
      const cmp = /^\s*([\w.]+)\s*(=|!=)\s*(.+?)\s*$/s.exec(part);
      if (!cmp) throw new SoqlError(`unexpected token: '${part.trim()}'`);
      where.push({ field: cmp[1]!, op: cmp[2] as '=' | '!=', value: parseLiteral(cmp[3]!) });
    }
  }
  const query: SoqlQuery = { fields, object: m[2]!, where };
  if (m[4]) query.orderBy = { field: m[4], desc: (m[5] ?? '').toUpperCase() === 'DESC' };
  if (m[6]) query.limit = Number(m[6]);
  return query;
}

function getPath(rec: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((acc, key) => {
    if (acc === null || acc === undefined || typeof acc !== 'object') return undefined;
    const obj = acc as Record<string, unknown>;
    const hit = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
    return hit === undefined ? undefined : obj[hit];
  }, rec);
}

export function matches(rec: Record<string, unknown>, where: SoqlCondition[]): boolean {
  return where.every((c) => {
    const v = getPath(rec, c.field) ?? null;
    if (c.op === 'IN') return (c.value as SoqlValue[]).includes(v as SoqlValue);
    const eq = v === c.value;
    return c.op === '=' ? eq : !eq;
  });
}

export function project(rec: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const parts = f.split('.');
    if (parts.length === 1) {
      out[f] = getPath(rec, f) ?? null;
    } else {
      const rel = parts[0]!;
      const relObj = (out[rel] as Record<string, unknown> | undefined) ?? {};
      relObj[parts.slice(1).join('.')] = getPath(rec, f) ?? null;
      out[rel] = relObj;
    }
  }
  return out;
}

export { getPath };
