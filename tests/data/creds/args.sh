#!/bin/sh
# credential_process: the key id tells how the command line was split:
# ARGS<count>_<arguments joined by _, spaces as ->
id="ARGS$#"
for a in "$@"; do
	id="${id}_$(printf '%s' "$a" | tr ' ' -)"
done
printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"proc/s3kr1tKEY+EXAMPLE0123456789abcdefghij"}\n' "$id"
