#!/bin/sh
# credential_process: must not be handed the caller's stdin (a pipeline
# stage's input); fails if it can read a line
if read -r _; then
	echo "stdin.sh: read a line of the caller's input" >&2
	exit 3
fi
exec "$(dirname "$0")/longterm.sh"
