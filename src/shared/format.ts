// How sizes and rates read everywhere (app and `hatch` command): sizes in binary units,
// rates in decimal MB/s as network rates are usually given.

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond)) return '-- MB/s';
  if (bytesPerSecond <= 0) return '0 kB/s';
  const mb = bytesPerSecond / 1e6;
  return mb >= 10 ? `${mb.toFixed(0)} MB/s` : mb >= 0.1 ? `${mb.toFixed(1)} MB/s` : `${(bytesPerSecond / 1e3).toFixed(0)} kB/s`;
}
