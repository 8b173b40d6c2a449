/** Which preview an artifact gets, from its file name. */
export type PreviewKind = "image" | "html" | "json" | "csv" | "tsv" | "mlmodel" | "text" | "none";

const IMAGE = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp", "ico"]);
const TEXT = new Set([
  "txt", "log", "md", "yaml", "yml", "py", "sh", "cfg", "ini", "toml", "xml", "r", "sql", "js", "ts",
  "java", "scala", "c", "cpp", "h", "go", "rs", "ipynb", "conf", "properties", "out", "err", "env",
]);
const TEXT_NAMES = new Set(["MLproject", "Dockerfile", "requirements.txt", "LICENSE", "README"]);

export function previewKind(path: string): PreviewKind {
  const name = path.split("/").pop() ?? "";
  if (name === "MLmodel") return "mlmodel";
  const dot = name.lastIndexOf(".");
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : "";
  if (IMAGE.has(ext)) return "image";
  if (ext === "svg" || ext === "html" || ext === "htm") return "html";
  if (ext === "json" || ext === "jsonl" || ext === "geojson") return "json";
  if (ext === "csv") return "csv";
  if (ext === "tsv") return "tsv";
  if (TEXT.has(ext) || TEXT_NAMES.has(name)) return "text";
  return "none";
}

/** Pretty-print JSON; JSON Lines and invalid JSON come back as they are. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}
