// The FunctionName of an Invoke request: a name (`my-function`), a partial ARN
// (`123456789012:function:my-function`) or an ARN (`arn:aws:lambda:us-east-1:123456789012:function:my-function`),
// each optionally with `:QUALIFIER`; the Qualifier query parameter is the other way to give one.

export interface FunctionName {
  name: string;
  qualifier: string | undefined;
  region: string | undefined;
  accountId: string | undefined;
}

const fullArn = /^arn:aws[a-z-]*:lambda:([^:]+):([^:]+):function:([^:]+)(?::(.+))?$/;
const partialArn = /^([0-9]{12}):function:([^:]+)(?::(.+))?$/;
const plainName = /^([^:]+)(?::(.+))?$/;

export function parseFunctionName(raw: string, queryQualifier?: string): FunctionName {
  let parsed: FunctionName = { name: raw, qualifier: undefined, region: undefined, accountId: undefined };
  const arn = fullArn.exec(raw);
  const partial = partialArn.exec(raw);
  const plain = plainName.exec(raw);
  if (arn) parsed = { name: arn[3]!, qualifier: arn[4], region: arn[1], accountId: arn[2] };
  else if (partial) parsed = { name: partial[2]!, qualifier: partial[3], region: undefined, accountId: partial[1] };
  else if (plain) parsed = { name: plain[1]!, qualifier: plain[2], region: undefined, accountId: undefined };
  return { ...parsed, qualifier: parsed.qualifier ?? queryQualifier };
}

export interface ServedFunction {
  functionName: string;
  region: string;
  accountId: string;
}

/** This function (or `function`, the name AWS's Runtime Interface Emulator serves), unqualified or $LATEST. */
export function isServedFunction(requested: FunctionName, served: ServedFunction): boolean {
  const nameMatches = requested.name === served.functionName || requested.name === 'function';
  const placeMatches = (requested.region ?? served.region) === served.region && (requested.accountId ?? served.accountId) === served.accountId;
  return nameMatches && placeMatches && (requested.qualifier === undefined || requested.qualifier === '$LATEST');
}

/** The ARN that a 404 names, as Lambda does: the requested name (and qualifier) in this region and account. */
export function requestedArn(requested: FunctionName, served: ServedFunction): string {
  const arn = `arn:aws:lambda:${requested.region ?? served.region}:${requested.accountId ?? served.accountId}:function:${requested.name}`;
  return requested.qualifier ? `${arn}:${requested.qualifier}` : arn;
}
