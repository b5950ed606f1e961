// The Containers view's listings (ECS clusters → services → tasks → containers), per
// profile and region, kept while the window lives.
import { create } from 'zustand';
import type { ContainersSnapshot, EcsContainerInfo, EcsTaskInfo } from '../../shared/domain/containers';
import { api } from '../api';

interface ContainersListing {
  snapshot: ContainersSnapshot | null;
  loading: boolean;
  error: string | null;
}

interface ContainersState {
  listings: Record<string, ContainersListing>;
  load(profile: string, region: string, refresh?: boolean): Promise<void>;
}

export const listingKey = (profile: string, region: string) => `${profile}/${region}`;

export const useContainersStore = create<ContainersState>((set, get) => ({
  listings: {},
  load: async (profile, region, refresh = false) => {
    const key = listingKey(profile, region);
    const patch = (value: Partial<ContainersListing>) => {
      const current = get().listings[key] ?? { snapshot: null, loading: false, error: null };
      set({ listings: { ...get().listings, [key]: { ...current, ...value } } });
    };
    patch({ loading: true, error: null });
    try {
      const snapshot = await api.call('containers.list', { profile, region, refresh: refresh || get().listings[key]?.snapshot != null });
      patch({ snapshot, loading: false });
    } catch (error) {
      patch({ loading: false, error: error instanceof Error ? error.message : String(error) });
    }
  },
}));

/** The container a Session Manager target names, from any listing of its profile and region. */
export function findContainer(profile: string, region: string, target: string): { task: EcsTaskInfo; container: EcsContainerInfo } | null {
  const snapshot = useContainersStore.getState().listings[listingKey(profile, region)]?.snapshot;
  for (const cluster of snapshot?.clusters ?? []) {
    for (const task of cluster.tasks) for (const container of task.containers) if (container.target === target) return { task, container };
  }
  return null;
}

/** How people name a container: "app · prod/web" (or the task's short id for a standalone task). */
export function containerLabel(cluster: string, task: Pick<EcsTaskInfo, 'serviceName' | 'taskId'>, container: string): string {
  return `${container} · ${cluster}/${task.serviceName ?? task.taskId.slice(0, 8)}`;
}
