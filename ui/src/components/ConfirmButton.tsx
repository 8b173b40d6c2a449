import { useState, type ReactNode } from "react";

interface Props {
  label: string;
  /** The question shown before acting, e.g. "Delete model “iris” and its 3 versions?" */
  question: ReactNode;
  onConfirm: () => Promise<unknown>;
}

/** A destructive action in two steps: the button asks, "Yes" acts; Escape or "Cancel" backs out. */
export function ConfirmButton({ label, question, onConfirm }: Props) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (!asking) {
    return (
      <button className="ghost danger" onClick={() => (setError(undefined), setAsking(true))}>
        {label}
      </button>
    );
  }
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <span className="confirm" role="alertdialog" aria-label={label} onKeyDown={(e) => e.key === "Escape" && setAsking(false)}>
      <span>{question}</span>
      <button className="danger-solid" onClick={() => void confirm()} disabled={busy}>
        Yes, {label.toLowerCase()}
      </button>
      <button className="ghost" onClick={() => setAsking(false)} autoFocus>
        Cancel
      </button>
      {error && <span className="error-text">{error}</span>}
    </span>
  );
}
