// Palette items for ECS containers: "Shell in app · prod/web" for the containers of the
// selected profile and region that match what is typed (once the Containers view listed them).
import { registerSearch, type Command } from './commands';
import { containerRows, filterContainers } from '../shared/container-filter';
import { useAppStore } from './stores/app-store';
import { containerLabel, listingKey, useContainersStore } from './stores/containers-store';
import { openContainerShell } from './actions';

registerSearch((query): Command[] => {
  const { selectedProfile: profile, selectedRegion: region } = useAppStore.getState();
  if (!profile || !region) return [];
  const snapshot = useContainersStore.getState().listings[listingKey(profile, region)]?.snapshot;
  if (!snapshot) return [];
  return filterContainers(containerRows(snapshot.clusters), query)
    .filter((row) => row.container.exec.possible)
    .slice(0, 10)
    .map(({ cluster, task, container }) => {
      const title = containerLabel(cluster.clusterName, task, container.name);
      return {
        id: `container:shell:${task.taskArn}/${container.name}`,
        title: `Shell in ${title}`,
        hint: 'container',
        run: () => void openContainerShell(profile, region, { cluster: cluster.clusterName, task: task.taskArn, container: container.name, command: '/bin/sh', title }),
      };
    });
});
