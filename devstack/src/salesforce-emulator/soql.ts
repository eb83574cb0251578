// The SOQL slice the emulator understands (documented in devstack/README.md):
//   SELECT f1, f2, Rel__r.Field FROM Object
//   [WHERE <condition>] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST]] [LIMIT n] [OFFSET n]
// where a condition is `f op literal` (op: = != <> < <= > >= LIKE), `f [NOT] IN (literal, …)`, `NOT cond`,
// `(cond)`, joined by AND or OR. As in Salesforce, AND and OR may not be mixed at one level without parentheses
// (SOQL and SOSL Reference, "Condition Expression Syntax (WHERE Clause)"); string comparison with = and LIKE is
// case-insensitive (same page). Anything else is rejected with MALFORMED_QUERY, as Salesforce would for a syntax it
// cannot parse; which objects and fields exist is checked by the caller (sobject-schema.ts).

export type SoqlValue = string | number | boolean | null;
export type SoqlOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'IN' | 'NOT IN';
export interface SoqlCondition {
  kind: 'cmp';
  field: string;
  op: SoqlOp;
  value: SoqlValue | SoqlValue[];
}
export type SoqlExpr = SoqlCondition | { kind: 'and' | 'or'; items: SoqlExpr[] } | { kind: 'not'; item: SoqlExpr };
export interface SoqlQuery {
  fields: string[];
  object: string;
  where?: SoqlExpr;
  orderBy?: { field: string; desc: boolean };
  limit?: number;
  offset?: number;
}

export class SoqlError extends Error {}

type Token =
  | { t: 'word'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'date'; v: string }
  | { t: 'op'; v: string }
  | { t: 'punct'; v: string };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const ch = q[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= q.length) throw new SoqlError('unterminated string literal');
        const c = q[i]!;
        if (c === '\\') {
          const next = q[i + 1];
          v += next === 'n' ? '\n' : next === 't' ? '\t' : (next ?? '');
          i += 2;
          continue;
        }
        if (c === "'") break;
        v += c;
        i++;
      }
      i++;
      out.push({ t: 'str', v });
      continue;
    }
    const rest = q.slice(i);
    const date = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))?/.exec(rest);
    if (date) {
      out.push({ t: 'date', v: date[0] });
      i += date[0].length;
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?/.exec(rest);
    if (num) {
      out.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][\w.]*/.exec(rest);
    if (word) {
      out.push({ t: 'word', v: word[0] });
      i += word[0].length;
      continue;
    }
    const op = /^(?:!=|<>|<=|>=|=|<|>)/.exec(rest);
    if (op) {
      out.push({ t: 'op', v: op[0] === '<>' ? '!=' : op[0] });
      i += op[0].length;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      out.push({ t: 'punct', v: ch });
      i++;
      continue;
    }
    throw new SoqlError(`unexpected token: '${ch}'`);
  }
  return out;
}

const describe = (tok: Token | undefined): string => (tok === undefined ? '<EOF>' : `'${String(tok.v)}'`);

class Parser {
  #pos = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.#pos];
  }
  next(): Token | undefined {
    return this.tokens[this.#pos++];
  }
  isKeyword(word: string, offset = 0): boolean {
    const tok = this.tokens[this.#pos + offset];
    return tok?.t === 'word' && tok.v.toUpperCase() === word;
  }
  keyword(word: string): void {
    if (!this.isKeyword(word)) throw new SoqlError(`unexpected token: ${describe(this.peek())}`);
    this.#pos++;
  }
  punct(p: string): void {
    const tok = this.next();
    if (tok?.t !== 'punct' || tok.v !== p) throw new SoqlError(`unexpected token: ${describe(tok)}`);
  }
  path(): string {
    const tok = this.next();
    if (tok?.t !== 'word' || /^(SELECT|FROM|WHERE|AND|OR|NOT|IN|LIKE|ORDER|BY|LIMIT|OFFSET)$/i.test(tok.v))
      throw new SoqlError(`unexpected token: ${describe(tok)}`);
    if (tok.v.endsWith('.') || tok.v.includes('..')) throw new SoqlError(`unexpected token: '${tok.v}'`);
    return tok.v;
  }
  integer(): number {
    const tok = this.next();
    if (tok?.t !== 'num' || !Number.isInteger(tok.v) || tok.v < 0)
      throw new SoqlError(`unexpected token: ${describe(tok)}`);
    return tok.v;
  }
  literal(): SoqlValue {
    const tok = this.next();
    if (tok?.t === 'str' || tok?.t === 'num' || tok?.t === 'date') return tok.v;
    if (tok?.t === 'word' && /^(true|false)$/i.test(tok.v)) return tok.v.toLowerCase() === 'true';
    if (tok?.t === 'word' && /^null$/i.test(tok.v)) return null;
    throw new SoqlError(`unexpected token: ${describe(tok)}`);
  }

  /** expr := factor ((AND factor)* | (OR factor)*) — one connective per level, as SOQL requires. */
  expr(): SoqlExpr {
    const first = this.factor();
    if (!this.isKeyword('AND') && !this.isKeyword('OR')) return first;
    const kind = this.isKeyword('AND') ? 'and' : 'or';
    const items = [first];
    while (this.isKeyword('AND') || this.isKeyword('OR')) {
      if (!this.isKeyword(kind.toUpperCase())) throw new SoqlError(`unexpected token: ${describe(this.peek())}`);
      this.next();
      items.push(this.factor());
    }
    return { kind, items };
  }

  factor(): SoqlExpr {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', item: this.factor() };
    }
    const tok = this.peek();
    if (tok?.t === 'punct' && tok.v === '(') {
      this.next();
      const inner = this.expr();
      this.punct(')');
      return inner;
    }
    const field = this.path();
    if (this.isKeyword('IN') || (this.isKeyword('NOT') && this.isKeyword('IN', 1))) {
      const op: SoqlOp = this.isKeyword('NOT') ? 'NOT IN' : 'IN';
      this.next();
      if (op === 'NOT IN') this.next();
      this.punct('(');
      const values = [this.literal()];
      while (this.peek()?.t === 'punct' && this.peek()!.v === ',') {
        this.next();
        values.push(this.literal());
      }
      this.punct(')');
      return { kind: 'cmp', field, op, value: values };
    }
    if (this.isKeyword('LIKE')) {
      this.next();
      const value = this.literal();
      if (typeof value !== 'string') throw new SoqlError('LIKE needs a string literal');
      return { kind: 'cmp', field, op: 'LIKE', value };
    }
    const op = this.next();
    if (op?.t !== 'op') throw new SoqlError(`unexpected token: ${describe(op)}`);
    return { kind: 'cmp', field, op: op.v as SoqlOp, value: this.literal() };
  }
}

export function parseSoql(q: string): SoqlQuery {
  const p = new Parser(tokenize(q));
  p.keyword('SELECT');
  const fields = [p.path()];
  while (p.peek()?.t === 'punct' && p.peek()!.v === ',') {
    p.next();
    fields.push(p.path());
  }
  p.keyword('FROM');
  const object = p.path();
  if (object.includes('.')) throw new SoqlError(`unexpected token: '${object}'`);
  const query: SoqlQuery = { fields, object };
  if (p.isKeyword('WHERE')) {
    p.next();
    query.where = p.expr();
  }
  if (p.isKeyword('ORDER')) {
    p.next();
    p.keyword('BY');
    const field = p.path();
    let desc = false;
    if (p.isKeyword('ASC') || p.isKeyword('DESC')) desc = p.next()!.v.toString().toUpperCase() === 'DESC';
    if (p.isKeyword('NULLS')) {
      p.next();
      if (!p.isKeyword('FIRST') && !p.isKeyword('LAST')) throw new SoqlError(`unexpected token: ${describe(p.peek())}`);
      p.next();
    }
    query.orderBy = { field, desc };
  }
  if (p.isKeyword('LIMIT')) {
    p.next();
    query.limit = p.integer();
  }
  if (p.isKeyword('OFFSET')) {
    p.next();
    query.offset = p.integer();
  }
  if (p.peek() !== undefined) throw new SoqlError(`unexpected token: ${describe(p.peek())}`);
  return query;
}

/** Every field path a condition reads. */
export function fieldsOf(expr: SoqlExpr | undefined): string[] {
  if (!expr) return [];
  if (expr.kind === 'cmp') return [expr.field];
  if (expr.kind === 'not') return fieldsOf(expr.item);
  return expr.items.flatMap(fieldsOf);
}

function getPath(rec: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((acc, key) => {
    if (acc === null || acc === undefined || typeof acc !== 'object') return undefined;
    const obj = acc as Record<string, unknown>;
    const hit = Object.keys(obj).find((k) => k.toLowerCase() === key.toLowerCase());
    return hit === undefined ? undefined : obj[hit];
  }, rec);
}

const fold = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

function compare(v: unknown, op: SoqlOp, value: SoqlValue | SoqlValue[]): boolean {
  switch (op) {
    case '=':
      return fold(v) === fold(value);
    case '!=':
      return fold(v) !== fold(value);
    case 'IN':
      return (value as SoqlValue[]).some((x) => fold(x) === fold(v));
    case 'NOT IN':
      return !(value as SoqlValue[]).some((x) => fold(x) === fold(v));
    case 'LIKE': {
      if (typeof v !== 'string') return false;
      const pattern = String(value)
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%/g, '.*')
        .replace(/_/g, '.');
      return new RegExp(`^${pattern}$`, 'is').test(v);
    }
    default: {
      // Ordering comparisons never match null (SOQL: null is neither less nor greater than a value).
      if (v === null || v === undefined || value === null) return false;
      const a = v as string | number;
      const b = value as string | number;
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
  }
}

export function matches(rec: Record<string, unknown>, where: SoqlExpr | undefined): boolean {
  if (!where) return true;
  if (where.kind === 'cmp') return compare(getPath(rec, where.field) ?? null, where.op, where.value);
  if (where.kind === 'not') return !matches(rec, where.item);
  return where.kind === 'and' ? where.items.every((e) => matches(rec, e)) : where.items.some((e) => matches(rec, e));
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
