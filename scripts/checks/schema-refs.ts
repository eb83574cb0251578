import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CheckResult, Finding } from '../lib/check.ts';
import { matching, splitTopLevel, stripApex } from '../lib/apex-text.ts';
import { isApex, lineAt, rel, walk } from '../lib/files.ts';
import { isCustomName, Schema } from '../lib/schema.ts';

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';
const PATH_RE = new RegExp(`${IDENT}(?:\\s*\\.\\s*${IDENT})*`, 'g');
const SOQL_KEYWORDS = new Set(
  'select from where and or not in like includes excludes order by group having limit offset asc desc nulls first last with user_mode system_mode security_enforced null true false typeof when then else end for update view reference using scope'.split(
    ' '
  )
);

interface Ctx {
  root: string;
  schema: Schema;
  findings: Finding[];
}

/**
 * Every custom object/field referenced from Apex, LWC imports and permission sets must exist in force-app metadata
 * (or scripts/checks/standard-schema.json for standard ones). A heuristic over blanked source, not a compiler:
 * it judges only references whose object type it can see.
 */
export function schemaRefs(root: string): Promise<CheckResult> {
  return Promise.resolve(schemaRefsSync(root));
}

function schemaRefsSync(root: string): CheckResult {
  const ctx: Ctx = { root, schema: new Schema(root), findings: [] };
  const forceApp = join(root, 'force-app');
  const apexFiles = walk(forceApp, isApex);
  const classes = indexApexClasses(apexFiles);
  for (const file of apexFiles) checkApex(ctx, file);
  const lwcFiles = walk(forceApp, (p) => /\/lwc\/.+\.(js|ts)$/.test(p) && !p.includes('__tests__'));
  for (const file of lwcFiles) checkLwc(ctx, file, classes);
  const permsets = walk(forceApp, (p) => p.endsWith('.permissionset-meta.xml'));
  for (const file of permsets) checkPermissionSet(ctx, file, classes);
  return {
    name: 'schema-refs',
    findings: ctx.findings,
    note: `${apexFiles.length} Apex, ${lwcFiles.length} LWC, ${permsets.length} permission sets`
  };
}

const pathParts = (p: string): string[] => p.split('.').map((s) => s.trim());

function report(ctx: Ctx, file: string, text: string, offset: number, message: string): void {
  const path = rel(ctx.root, file);
  // One missing object is reported once per file, at its first use.
  if (
    /^object \S+ does not exist$/.test(message) &&
    ctx.findings.some((f) => f.file === path && f.message === message)
  ) {
    return;
  }
  ctx.findings.push({ file: path, line: lineAt(text, offset), message });
}

// ---------- Apex ----------

function checkApex(ctx: Ctx, file: string): void {
  const code = stripApex(readFileSync(file, 'utf8'));
  let rest = code.split('');
  for (let i = code.indexOf('['); i !== -1; i = code.indexOf('[', i + 1)) {
    if (!/^\[\s*select\b/i.test(code.slice(i, i + 20))) continue;
    const end = matching(code, i);
    if (end === -1) continue;
    checkSoql(ctx, file, code, i + 1, end);
    for (let k = i; k <= end; k++) if (rest[k] !== '\n') rest[k] = ' ';
    i = end;
  }
  const body = rest.join('');
  rest = [];
  checkTypedAccess(ctx, file, body);
}

/** Checks one SELECT between [start, end) of `code`; recurses into semi-join subqueries. */
function checkSoql(ctx: Ctx, file: string, code: string, start: number, end: number): void {
  const text = code.slice(start, end);
  // Top-level FROM (outside parentheses).
  let depth = 0;
  let fromAt = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (depth === 0 && /^\bfrom\b/i.test(text.slice(i, i + 5)) && /\s/.test(text[i - 1] ?? ' ')) {
      fromAt = i;
      break;
    }
  }
  if (fromAt === -1) return;
  const objMatch = new RegExp(`^from\\s+(${IDENT})`, 'i').exec(text.slice(fromAt));
  if (!objMatch) return;
  const obj = objMatch[1]!;
  const selectStart = /^\s*select\s+/i.exec(text)![0].length;
  if (!ctx.schema.isKnownObject(obj)) {
    if (isCustomName(obj)) report(ctx, file, code, start + fromAt, `object ${obj} does not exist`);
    return;
  }
  const checkPath = (path: string, offset: number): void => {
    const parts = pathParts(path);
    if (!parts.some((p) => /__[cr]$/i.test(p))) return;
    const problem = ctx.schema.resolve(obj, parts, false);
    if (problem) report(ctx, file, code, offset, `SOQL on ${obj}: ${problem}`);
  };
  for (const [item, off] of splitTopLevel(text.slice(selectStart, fromAt), start + selectStart)) {
    const trimmed = item.trim();
    if (/^\(\s*select\b/i.test(trimmed) || /^typeof\b/i.test(trimmed)) continue;
    const inner = /^\w+\s*\(\s*([^()]*?)\s*\)/.exec(trimmed);
    const field = inner ? inner[1]! : trimmed.split(/\s+/)[0]!;
    if (field) checkPath(field, off + item.indexOf(field.split('.')[0]!));
  }
  // WHERE / ORDER BY / GROUP BY: field paths, skipping bind expressions and subqueries.
  const tailStart = fromAt + objMatch[0].length;
  const tail = text.slice(tailStart);
  const blanked = tail.split('');
  for (let i = tail.indexOf('('); i !== -1; i = tail.indexOf('(', i + 1)) {
    if (!/^\(\s*select\b/i.test(tail.slice(i, i + 12))) continue;
    const close = matching(tail, i);
    if (close === -1) break;
    checkSoql(ctx, file, code, start + tailStart + i + 1, start + tailStart + close);
    for (let k = i; k <= close; k++) if (blanked[k] !== '\n') blanked[k] = ' ';
    i = close;
  }
  const tailText = blanked.join('');
  for (const m of tailText.matchAll(PATH_RE)) {
    const before = tailText.slice(0, m.index).trimEnd();
    if (before.endsWith(':') || before.endsWith('.')) continue;
    if (SOQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    if (
      tailText
        .slice(m.index + m[0].length)
        .trimStart()
        .startsWith('(')
    )
      continue; // function call
    checkPath(m[0], start + tailStart + m.index);
  }
}

/** Field access on variables of sObject type, static `Obj__c.Field__c` tokens, `SObjectType.X.fields.Y`, `new X__c(F__c = ...)`. */
function checkTypedAccess(ctx: Ctx, file: string, code: string): void {
  const vars = new Map<string, Set<string>>();
  const declRe = new RegExp(`(?<![.\\w<])(${IDENT})\\s+(${IDENT})\\s*(?=[=;,):])`, 'g');
  for (const m of code.matchAll(declRe)) {
    const type = m[1]!;
    if (!ctx.schema.isKnownObject(type) && !isCustomName(type)) continue;
    if (['return', 'new', 'else', 'throw'].includes(type.toLowerCase())) continue;
    const key = m[2]!.toLowerCase();
    if (!vars.has(key)) vars.set(key, new Set());
    vars.get(key)!.add(type);
    if (!ctx.schema.isKnownObject(type)) report(ctx, file, code, m.index, `object ${type} does not exist`);
  }

  const accessRe = new RegExp(`(?<![\\w])(${IDENT})((?:\\s*\\.\\s*${IDENT})+)`, 'g');
  for (const m of code.matchAll(accessRe)) {
    const before = code.slice(Math.max(0, m.index - 12), m.index);
    const afterThis = /\bthis\s*\.\s*$/i.test(before);
    const afterSchema = /\bSchema\s*\.\s*$/i.test(before);
    if (/\.\s*$/.test(before) && !afterThis && !afterSchema) continue;
    let head = m[1]!;
    const tail = pathParts(m[2]!.replace(/^\s*\.\s*/, ''));
    if (head.toLowerCase() === 'schema' && tail.length > 0) head = tail.shift()!;
    if (head.toLowerCase() === 'sobjecttype' && tail[1]?.toLowerCase() === 'fields' && tail[0] && tail[2]) {
      const problem = ctx.schema.resolve(tail[0], [tail[2]], false);
      if (problem) report(ctx, file, code, m.index, problem);
      continue;
    }
    const fieldPath: string[] = [];
    for (const seg of tail) {
      if (!/__[cr]$/i.test(seg)) break;
      fieldPath.push(seg);
      if (/__c$/i.test(seg)) break;
    }
    const types = vars.get(head.toLowerCase());
    if (types && !afterSchema) {
      // A variable of a missing type was reported at its declaration.
      if (fieldPath.length === 0 || [...types].some((t) => !ctx.schema.hasObject(t))) continue;
      const problems = [...types].map((t) => ctx.schema.resolve(t, fieldPath, false));
      if (problems.every((p) => p !== null))
        report(ctx, file, code, m.index, `${head}.${fieldPath.join('.')}: ${problems[0]}`);
    } else if (isCustomName(head) || (/^[A-Z]/.test(head) && ctx.schema.isKnownObject(head) && fieldPath.length > 0)) {
      const problem = ctx.schema.hasObject(head)
        ? fieldPath.length > 0
          ? ctx.schema.resolve(head, fieldPath, false)
          : null
        : `object ${head} does not exist`;
      if (problem) report(ctx, file, code, m.index, problem);
    }
  }

  const newRe = new RegExp(`\\bnew\\s+(${IDENT})\\s*\\(`, 'g');
  for (const m of code.matchAll(newRe)) {
    const type = m[1]!;
    if (!isCustomName(type) && !ctx.schema.isKnownObject(type)) continue;
    if (!ctx.schema.hasObject(type)) {
      report(ctx, file, code, m.index, `object ${type} does not exist`);
      continue;
    }
    const open = m.index + m[0].length - 1;
    const close = matching(code, open);
    if (close === -1) continue;
    for (const [arg, off] of splitTopLevel(code.slice(open + 1, close), open + 1)) {
      const named = new RegExp(`^\\s*(${IDENT})\\s*=(?!=)`).exec(arg);
      if (!named || !isCustomName(named[1]!)) continue;
      const problem = ctx.schema.resolve(type, [named[1]!], false);
      if (problem) report(ctx, file, code, off + named.index, `new ${type}(...): ${problem}`);
    }
  }
}

// ---------- LWC ----------

interface ApexClassIndex {
  /** lower-case class name -> lower-case method name -> is @AuraEnabled */
  methods: Map<string, Map<string, boolean>>;
  names: Map<string, string>;
}

function indexApexClasses(files: string[]): ApexClassIndex {
  const methods = new Map<string, Map<string, boolean>>();
  const names = new Map<string, string>();
  const methodRe = new RegExp(
    `((?:@${IDENT}(?:\\s*\\([^)]*\\))?\\s*)*)(?:(?:public|global|private|protected|static|override|virtual|abstract|webservice|testmethod)\\s+)+[\\w.<>,\\s\\[\\]]*?\\b(${IDENT})\\s*\\(`,
    'gi'
  );
  for (const file of files.filter((f) => f.endsWith('.cls'))) {
    const name = basename(file, '.cls');
    const code = stripApex(readFileSync(file, 'utf8'));
    const map = new Map<string, boolean>();
    for (const m of code.matchAll(methodRe)) {
      const key = m[2]!.toLowerCase();
      map.set(key, (map.get(key) ?? false) || /@AuraEnabled\b/i.test(m[1] ?? ''));
    }
    methods.set(name.toLowerCase(), map);
    names.set(name.toLowerCase(), name);
  }
  return { methods, names };
}

function checkLwc(ctx: Ctx, file: string, classes: ApexClassIndex): void {
  const text = readFileSync(file, 'utf8');
  const re = /\bfrom\s+['"]@salesforce\/(schema|apex)\/([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) {
    const parts = m[2]!.split('.');
    if (m[1] === 'schema') {
      const [obj, ...path] = parts;
      const problem =
        path.length === 0
          ? ctx.schema.hasObject(obj!)
            ? null
            : `object ${obj} does not exist`
          : ctx.schema.resolve(obj!, path, true);
      if (problem) report(ctx, file, text, m.index, `@salesforce/schema/${m[2]}: ${problem}`);
    } else {
      if (parts.length !== 2) continue; // namespaced class: outside this package
      const [cls, method] = parts as [string, string];
      const methods = classes.methods.get(cls.toLowerCase());
      let problem: string | null = null;
      if (!methods) problem = `Apex class ${cls} does not exist`;
      else if (!methods.has(method.toLowerCase())) problem = `method ${cls}.${method} does not exist`;
      else if (!methods.get(method.toLowerCase())) problem = `method ${cls}.${method} is not @AuraEnabled`;
      if (problem) report(ctx, file, text, m.index, `@salesforce/apex/${m[2]}: ${problem}`);
    }
  }
}

// ---------- Permission sets ----------

function checkPermissionSet(ctx: Ctx, file: string, classes: ApexClassIndex): void {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/<object>\s*([^<\s]+)\s*<\/object>/g)) {
    if (!ctx.schema.hasObject(m[1]!)) report(ctx, file, text, m.index, `permission set: object ${m[1]} does not exist`);
  }
  for (const m of text.matchAll(/<field>\s*([^<\s]+)\s*<\/field>/g)) {
    const [obj, ...path] = m[1]!.split('.');
    const problem = path.length === 0 ? `field ${m[1]} is not Object.Field` : ctx.schema.resolve(obj!, path, true);
    if (problem) report(ctx, file, text, m.index, `permission set: ${problem}`);
  }
  for (const m of text.matchAll(/<apexClass>\s*([^<\s]+)\s*<\/apexClass>/g)) {
    if (!classes.names.has(m[1]!.toLowerCase())) {
      report(ctx, file, text, m.index, `permission set: Apex class ${m[1]} does not exist`);
    }
  }
}
