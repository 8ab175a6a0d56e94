#!/bin/sh
# credential_process: a helper that fails, saying why on stderr
echo "exit1.sh: the vault is sealed" >&2
exit 1
