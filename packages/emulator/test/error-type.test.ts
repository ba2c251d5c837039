// How the platform names a runtime-reported error type, table-style.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { platformErrorType } from '../src/api/runtime/error-type.ts';

test('only Runtime.X and Function.X pass; other Function. values are Function.Unknown, the rest Runtime.Unknown', () => {
  const cases: [string | undefined, string][] = [
    [undefined, 'Runtime.Unknown'],
    ['', 'Runtime.Unknown'],
    ['TypeError', 'Runtime.Unknown'],
    ['MyCustomError.Error', 'Runtime.Unknown'],
    ['Runtime.ImportModuleError', 'Runtime.ImportModuleError'],
    ['Runtime.MyCustomErrorTypeHere', 'Runtime.MyCustomErrorTypeHere'],
    ['Function.MyCustomErrorTypeHere', 'Function.MyCustomErrorTypeHere'],
    ['Function.lowercase', 'Function.Unknown'],
    ['Function.Has2Digits', 'Function.Unknown'],
    ['Runtime.A', 'Runtime.Unknown'],
    ['Sandbox.Failure Runtime.Ab', 'Runtime.Unknown'],
    [' Function.MyError ', 'Runtime.Unknown'],
  ];
  for (const [reported, expected] of cases) assert.equal(platformErrorType(reported), expected, JSON.stringify(reported));
});
