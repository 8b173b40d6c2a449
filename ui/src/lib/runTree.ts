/** Nested runs: children listed right under their parent, collapsed unless expanded. */

export interface TreeNode<T> {
  item: T;
  depth: number;
  childCount: number;
}

/** `rows` in display order; a row whose parent is not among `rows` stays top-level. */
export function nestRows<T>(
  rows: readonly T[],
  idOf: (row: T) => string,
  parentOf: (row: T) => string | undefined,
  expanded: ReadonlySet<string>,
): TreeNode<T>[] {
  const ids = new Set(rows.map(idOf));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const row of rows) {
    const parent = parentOf(row);
    if (parent !== undefined && parent !== idOf(row) && ids.has(parent)) {
      const list = children.get(parent);
      if (list) list.push(row);
      else children.set(parent, [row]);
    } else {
      roots.push(row);
    }
  }
  const out: TreeNode<T>[] = [];
  const seen = new Set<string>();
  // Iterative DFS: parents chains can be deep, and a cycle must not loop forever.
  const stack: { row: T; depth: number }[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ row: roots[i] as T, depth: 0 });
  while (stack.length) {
    const { row, depth } = stack.pop() as { row: T; depth: number };
    const id = idOf(row);
    if (seen.has(id)) continue;
    seen.add(id);
    const kids = children.get(id) ?? [];
    out.push({ item: row, depth, childCount: kids.length });
    if (expanded.has(id)) {
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ row: kids[i] as T, depth: depth + 1 });
    }
  }
  return out;
}
