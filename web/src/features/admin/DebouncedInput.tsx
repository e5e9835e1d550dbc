import { useEffect, useId, useRef, useState, type InputHTMLAttributes, type ReactNode } from 'react';

interface DebouncedInputProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'id'> {
  label: string;
  /** Visually hide the label (it stays the accessible name). */
  hideLabel?: boolean;
  /** The committed value (from the address). */
  value: string;
  /** Called once typing pauses for `delay` ms, or at once on Enter. */
  onCommit: (value: string) => void;
  /** How a value is stored (trim, lower case…); drafts that normalise to the value are left alone. */
  normalize?: (value: string) => string;
  delay?: number;
  icon?: ReactNode;
  className?: string;
  labelClassName?: string;
  inputClassName?: string;
}

const trim = (value: string) => value.trim();

/**
 * A text box whose value is committed after a pause in typing, so a search does not fire on every
 * key. When the committed value changes elsewhere (back button), the box follows it.
 */
export function DebouncedInput({
  label,
  hideLabel = false,
  value,
  onCommit,
  normalize = trim,
  delay = 300,
  icon,
  className,
  labelClassName,
  inputClassName,
  ...rest
}: DebouncedInputProps) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    if (normalize(draft) !== value) setDraft(value);
  }

  const commit = useRef(onCommit);
  useEffect(() => {
    commit.current = onCommit;
  });

  const pending = normalize(draft) !== value;
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => {
      commit.current(normalize(draft));
    }, delay);
    return () => {
      clearTimeout(timer);
    };
  }, [draft, pending, delay, normalize]);

  return (
    <div className={className}>
      <label htmlFor={id} className={hideLabel ? 'visually-hidden' : labelClassName}>
        {label}
      </label>
      {icon}
      <input
        {...rest}
        id={id}
        className={inputClassName}
        value={draft}
        onChange={(event) => {
          setDraft(event.target.value);
        }}
        onKeyDown={(event) => {
          rest.onKeyDown?.(event);
          if (event.key === 'Enter') {
            event.preventDefault();
            if (pending) commit.current(normalize(draft));
          }
        }}
      />
    </div>
  );
}
