import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Where Lambda looks for external extensions: it starts every regular file directly in this folder. */
export const EXTENSIONS_DIR = '/opt/extensions';

function isRegularFile(dir: string, name: string): boolean {
  try {
    // statSync follows a symbolic link, as Lambda does when it starts the extension.
    return statSync(join(dir, name)).isFile();
  } catch {
    return false;
  }
}

/**
 * True when Lambda will start an external extension next to this runtime: the layer's exec wrapper ran
 * (its own extension ships beside it), or `extensionsDir` holds a regular file. Subdirectories and
 * anything else there are ignored, as Lambda ignores them. Never throws; a missing folder means none.
 *
 * @example
 * externalExtensionPresent(process.env); // false for a function without layers
 */
export function externalExtensionPresent(env: NodeJS.ProcessEnv, extensionsDir: string = EXTENSIONS_DIR): boolean {
  if (env.LAMBDA_OTEL_ORIGINAL_HANDLER) return true;
  try {
    return readdirSync(extensionsDir).some((name) => isRegularFile(extensionsDir, name));
  } catch {
    return false;
  }
}
