// A line diff of a document before it is saved: removed lines red, added lines green.
import { useMemo } from 'react';
import { lineDiff } from '../../shared/domain/text-diff';

export function DiffView({ before, after, label }: { before: string; after: string; label: string }) {
  const lines = useMemo(() => lineDiff(before.replace(/\n+$/, ''), after.replace(/\n+$/, '')), [before, after]);
  const added = lines.filter((l) => l.kind === 'add').length;
  const removed = lines.filter((l) => l.kind === 'del').length;
  return (
    <figure className="diff" aria-label={label}>
      <figcaption className="dim small">
        {added} line{added === 1 ? '' : 's'} added, {removed} removed
      </figcaption>
      <pre className="diff-body">
        {lines.map((l, i) => (
          <div key={i} className={`diff-line diff-${l.kind}`}>
            <span className="diff-sign" aria-label={l.kind === 'add' ? 'added' : l.kind === 'del' ? 'removed' : undefined}>
              {l.kind === 'add' ? '+' : l.kind === 'del' ? '−' : ' '}
            </span>
            {l.text}
          </div>
        ))}
      </pre>
    </figure>
  );
}
