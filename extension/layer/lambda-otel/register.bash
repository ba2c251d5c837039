# Registers the extension with the Extensions API over bash's /dev/tcp. The launcher
# (extensions/lambda-otel) sources this file under bash before it execs Node: no fork, no Node, a
# few milliseconds. Outcomes:
# - registered: LAMBDA_OTEL_EXTENSION_ID holds the identifier, and Node goes on with /event/next;
# - nothing registered (no connection, /dev/tcp not compiled into this bash, no answer):
#   LAMBDA_OTEL_FAST_START_SKIPPED says why, and Node registers itself;
# - Lambda refused the registration: one error line and exit 1, as Node does on the same answer.
# Under Managed Instances external extensions may register for SHUTDOWN only.

lambda_otel_register() {
  local api=${AWS_LAMBDA_RUNTIME_API-} events='"INVOKE","SHUTDOWN"' body line status='' id='' answer=''
  # Outside Lambda, Node says what is missing.
  [ -n "$api" ] || return 0
  [ "${AWS_LAMBDA_INITIALIZATION_TYPE-}" = lambda-managed-instances ] && events='"SHUTDOWN"'
  body="{\"events\":[$events]}"
  # A failed redirection of `exec` ends a POSIX-mode shell (bash run as sh); `command` keeps it going.
  if ! { command exec 3<>"/dev/tcp/${api%:*}/${api##*:}"; } 2>/dev/null; then
    export LAMBDA_OTEL_FAST_START_SKIPPED="no connection to $api through bash's /dev/tcp"
    return 0
  fi
  printf 'POST /2020-01-01/extension/register HTTP/1.1\r\nHost: %s\r\nLambda-Extension-Name: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
    "$api" "$LAMBDA_OTEL_EXTENSION_NAME" "${#body}" "$body" >&3 2>/dev/null
  if IFS= read -r -t 5 line <&3; then
    status=${line#* }
    status=${status%% *}
  fi
  case $status in
    [1-5][0-9][0-9]) ;;
    *)
      exec 3>&-
      export LAMBDA_OTEL_FAST_START_SKIPPED="no answer from $api to the registration"
      return 0
      ;;
  esac
  while IFS= read -r -t 5 line <&3; do
    line=${line%$'\r'}
    [ -z "$line" ] && break
    case $line in
      [Ll]ambda-[Ee]xtension-[Ii]dentifier:*) id=${line#*:} ;;
    esac
  done
  id=${id// /}
  if [ "$status" = 200 ] && [ -n "$id" ]; then
    exec 3>&-
    export LAMBDA_OTEL_EXTENSION_ID="$id"
    return 0
  fi
  # The body, up to the end of the connection (Connection: close).
  IFS= read -r -d '' -t 5 answer <&3
  exec 3>&-
  if [ "$status" = 200 ]; then
    answer='register: no Lambda-Extension-Identifier in the response'
  else
    # The answer goes into a JSON string: cut, backslashes and quotes escaped, line breaks as spaces.
    answer=${answer:0:500}
    answer=${answer//\\/\\\\}
    answer=${answer//\"/\\\"}
    answer=${answer//[$'\r\n\t']/ }
    answer="POST /2020-01-01/extension/register answered $status: $answer"
  fi
  printf '{"level":"ERROR","logger":"lambda-otel","message":"extension stopped: %s"}\n' "$answer"
  exit 1
}

lambda_otel_register
unset -f lambda_otel_register
