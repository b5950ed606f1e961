// Imported first by each command (hatch-web, hatch-sandbox, hatch-ssm-plugin) and the
// Electron entry: the AWS SDK's Node-version notice would land on the user's
// terminal in the middle of a session; other warnings are still printed.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name === 'NodeVersionSupportWarning' || w.message.startsWith('NodeVersionSupportWarning')) return;
  process.stderr.write(`${w.name}: ${w.message}\n`);
});
