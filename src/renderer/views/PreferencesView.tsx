// Preferences view (filled by the documents/audit work).
export function PreferencesView() {
  return (
    <div className="empty-state">
      <h1>Preferences</h1>
    </div>
  );
}
