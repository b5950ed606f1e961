// Node actions and palette commands for the other ways in: "SSH config…" (a node, or the
// selected profile) and "Connect with Remote Desktop" (Windows nodes). Registered through
// the same registries as the app's own (node-actions.ts, commands.ts).
import { registerCommands } from './commands';
import { registerNodeAction, whyNoSession } from './node-actions';
import { useAppStore } from './stores/app-store';
import { showDialog } from './ui/dialogs';
import { SshConfigDialog } from './components/SshConfigDialog';
import { RdpDialog } from './components/RdpDialog';

export function openSshConfig(profile: string, region: string, node: { id: string; name: string; platformName?: string | null } | null): void {
  showDialog((close) => (
    <SshConfigDialog profile={profile} region={region} target={node ? { kind: 'node', nodeId: node.id, name: node.name, platformName: node.platformName } : { kind: 'profile' }} onClose={close} />
  ));
}

function openRemoteDesktop(profile: string, region: string, node: { id: string; name: string }): void {
  showDialog((close) => <RdpDialog profile={profile} region={region} node={node} onClose={close} />);
}

registerNodeAction({
  id: 'ssh-config',
  label: 'SSH config…',
  order: 25,
  run: ({ node, profile, region }) => openSshConfig(profile, region, node),
});

registerNodeAction({
  id: 'rdp',
  label: 'Connect with Remote Desktop',
  order: 26,
  unavailable: ({ node }) => (node.platformType !== 'Windows' ? `${node.name} is not a Windows node: Remote Desktop needs Windows (use SSH config… or a session).` : whyNoSession(node)),
  run: ({ node, profile, region }) => openRemoteDesktop(profile, region, node),
});

registerCommands(() => {
  const { selectedProfile: profile, selectedRegion: region } = useAppStore.getState();
  if (!profile || !region) return [];
  return [{ id: 'ssh:profile', title: `SSH config for profile ${profile}…`, hint: 'ssh', keywords: 'ssh config proxycommand scp rsync vscode remote', run: () => openSshConfig(profile, region, null) }];
});
