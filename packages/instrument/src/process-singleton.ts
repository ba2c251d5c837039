/**
 * One value per process, shared by every copy of the plugin loaded in it (a function that bundles the
 * plugin and also runs under the layer has two): kept on globalThis under a registered symbol.
 * Worker threads have their own globalThis, so each thread has its own value.
 *
 * @example
 * const state = processSingleton('lambda-otel.example', () => ({ count: 0 }));
 */
export function processSingleton<T>(name: string, create: () => T): T {
  const key = Symbol.for(name);
  const holder = globalThis as unknown as Record<symbol, T | undefined>;
  let value = holder[key];
  if (value === undefined) {
    value = create();
    Object.defineProperty(globalThis, key, { value, enumerable: false, configurable: false, writable: false });
  }
  return value;
}
