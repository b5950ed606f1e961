// Audit view (filled by the documents/audit work).
export function AuditView() {
  return (
    <div className="empty-state">
      <h1>Audit</h1>
    </div>
  );
}
