/** Key completion for the search box: the identifier being typed at the cursor. */

export interface Completion {
  /** The whole filter text with the suggestion applied. */
  text: string;
  /** Where the cursor goes afterwards. */
  cursor: number;
  label: string;
}

const PREFIXES = ["metrics.", "params.", "tags.", "attributes."];

export function currentToken(text: string, cursor: number): { start: number; token: string } {
  let start = cursor;
  while (start > 0 && /[A-Za-z0-9_.`\-/]/.test(text[start - 1] as string)) start--;
  return { start, token: text.slice(start, cursor) };
}

export function completeKeys(text: string, cursor: number, keys: readonly string[], limit = 12): Completion[] {
  const { start, token } = currentToken(text, cursor);
  if (!token) return [];
  const lower = token.toLowerCase();
  const candidates = [...PREFIXES, ...keys];
  const matches = candidates.filter((k) => k.toLowerCase().startsWith(lower) && k !== token);
  // Also match bare key names ("lo" -> metrics.loss) when no prefix was typed.
  if (!token.includes(".")) {
    for (const k of keys) {
      const name = k.slice(k.indexOf(".") + 1).toLowerCase();
      if (name.startsWith(lower) && !matches.includes(k)) matches.push(k);
    }
  }
  return matches.slice(0, limit).map((k) => {
    const insert = k.endsWith(".") ? k : `${k} `;
    return {
      label: k,
      text: text.slice(0, start) + insert + text.slice(cursor),
      cursor: start + insert.length,
    };
  });
}
