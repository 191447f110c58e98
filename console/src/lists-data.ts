import { get } from './api.js';

export interface ListInfo {
  name: string;
  enabled: boolean;
  size: number;
  createdAt: string | null;
  createdBy: string;
  lastImportAt: string | null;
}

export const loadLists = async (): Promise<ListInfo[]> => (await get<{ lists: ListInfo[] }>('/v1/lists')).lists;
