/** The YAML subset MLmodel files use: nested block mappings, block lists, plain and quoted
 * scalars, `null`/booleans/numbers, and flow `{}`/`[]` only when empty. Enough for a model
 * card; anything fancier comes back as its raw text. */

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
}

function scalar(raw: string): Yaml {
  const s = raw.trim();
  if (s === "" || s === "null" || s === "~") return null;
  if (s === "true") return true;
  if (s === "false") return false;
  if (s === "{}") return {};
  if (s === "[]") return [];
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s) && !/^0\d/.test(s)) return Number(s);
  if (s.startsWith("'") && s.endsWith("'") && s.length >= 2) return s.slice(1, -1).replace(/''/g, "'");
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) {
    try {
      return JSON.parse(s) as string;
    } catch {
      return s.slice(1, -1);
    }
  }
  return s;
}

function splitKey(text: string): [string, string] | null {
  const m = /^("[^"]*"|'[^']*'|[^:#][^:]*?):(\s+|$)(.*)$/.exec(text);
  if (!m) return null;
  return [String(scalar(m[1] as string)), m[3] as string];
}

export function parseYaml(src: string): Yaml {
  const lines: Line[] = [];
  for (const raw of src.replace(/\r\n?/g, "\n").split("\n")) {
    if (!raw.trim() || raw.trimStart().startsWith("#") || raw.startsWith("---")) continue;
    lines.push({ indent: raw.length - raw.trimStart().length, text: raw.trim() });
  }
  let i = 0;
  // Folded multi-line plain scalars (long signature JSON) are joined onto their key.
  const block = (indent: number): Yaml => {
    const first = lines[i];
    if (!first || first.indent < indent) return null;
    if (first.text.startsWith("- ") || first.text === "-") {
      const list: Yaml[] = [];
      while (i < lines.length && (lines[i] as Line).indent === first.indent && (lines[i] as Line).text.startsWith("-")) {
        const item = (lines[i] as Line).text.slice(1).trim();
        i++;
        if (!item) list.push(block(first.indent + 1));
        else {
          const kv = splitKey(item);
          if (kv) {
            // "- key: value" starts a mapping item; its other keys are indented deeper.
            const obj: { [key: string]: Yaml } = { [kv[0]]: kv[1] ? scalar(kv[1]) : block(first.indent + 2) };
            const rest = block(first.indent + 1);
            if (rest && typeof rest === "object" && !Array.isArray(rest)) Object.assign(obj, rest);
            list.push(obj);
          } else list.push(scalar(item));
        }
      }
      return list;
    }
    const obj: { [key: string]: Yaml } = {};
    const level = first.indent;
    while (i < lines.length && (lines[i] as Line).indent === level) {
      const kv = splitKey((lines[i] as Line).text);
      i++;
      if (!kv) continue;
      const [key, rest] = kv;
      if (rest) {
        let text = rest;
        while (i < lines.length && (lines[i] as Line).indent > level && !splitKey((lines[i] as Line).text)) {
          text += " " + (lines[i] as Line).text;
          i++;
        }
        obj[key] = scalar(text);
      } else {
        const next = lines[i];
        obj[key] = next && (next.indent > level || (next.indent === level && next.text.startsWith("-"))) ? block(next.indent) : null;
      }
    }
    return obj;
  };
  return block(0);
}
