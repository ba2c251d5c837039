/**
 * The address /etc/hosts gives a name, read directly: no resolver thread, no DNS query and no wait
 * on the extension's start-up path. Undefined when the file does not list the name (the caller
 * then asks DNS).
 */
import { readFileSync } from 'node:fs';

/** `hostsText` in hosts(5) form; the first IPv4 line that lists `name` wins. */
export function addressInHosts(hostsText: string, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const line of hostsText.split('\n')) {
    const [address, ...names] = (line.split('#')[0] ?? '').trim().split(/\s+/);
    if (address && /^\d{1,3}(\.\d{1,3}){3}$/.test(address) && names.some((entry) => entry.toLowerCase() === wanted)) return address;
  }
  return undefined;
}

export function hostsFileAddress(name: string, path = '/etc/hosts'): string | undefined {
  try {
    return addressInHosts(readFileSync(path, 'utf8'), name);
  } catch {
    return undefined;
  }
}
