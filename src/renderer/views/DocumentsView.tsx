// Documents view (filled by the documents/audit work).
export function DocumentsView() {
  return (
    <div className="empty-state">
      <h1>Documents</h1>
    </div>
  );
}
