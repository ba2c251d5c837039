/**
 * The layer's entry. The exec wrapper (/opt/lambda-otel-handler) saves the function's _HANDLER in
 * LAMBDA_OTEL_ORIGINAL_HANDLER and points the runtime here; this module gives the function its own
 * _HANDLER back, loads the original handler the way the runtime would, wraps it and exports it as
 * `handler`. No loader hooks are installed: other modules load exactly as they would without the layer.
 */
import { wrap } from '../index.ts';
import { loadOriginalHandler, restoreHandlerVariable } from './load-handler.ts';

const original = await loadOriginalHandler(restoreHandlerVariable(), process.env.LAMBDA_TASK_ROOT ?? process.cwd());

export const handler = wrap(original);
