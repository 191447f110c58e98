import { useEffect, useState } from 'preact/hooks';

/** Where the console is: `#/lists/dnc?x=1` as the page, its arguments and its query. */
export interface Place {
  page: string;
  args: string[];
  query: URLSearchParams;
}

function current(): Place {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = hash.split('?');
  const [page = '', ...args] = path.split('/').map(decodeURIComponent);
  return { page, args, query: new URLSearchParams(search) };
}

export function usePlace(): Place {
  const [place, setPlace] = useState(current);
  useEffect(() => {
    const changed = () => setPlace(current());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return place;
}

export function href(page: string, args: string[] = [], query: Record<string, string> = {}): string {
  const search = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== '')).toString();
  return `#/${[page, ...args].map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}

export function go(page: string, args: string[] = [], query: Record<string, string> = {}): void {
  location.hash = href(page, args, query);
}
