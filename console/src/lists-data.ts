import { get } from './api.js';

export interface ListInfo {
  name: string;
  enabled: boolean;
  size: number;
  /** entries its keys no longer hold (lost outside callguard); 0 when whole */
  lost: number;
  /** blocks of a dense list's bitmaps found gone */
  lostBlocks: number;
  createdAt: string | null;
  createdBy: string;
  lastImportAt: string | null;
}

export const loadLists = async (): Promise<ListInfo[]> => (await get<{ lists: ListInfo[] }>('/v1/lists')).lists;
