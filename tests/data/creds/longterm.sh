#!/bin/sh
# credential_process: long-term keys, no token and no Expiration
printf '{"Version":1,"AccessKeyId":"AKIAPROCESSLONGTERM","SecretAccessKey":"proc/s3kr1tKEY+EXAMPLE0123456789abcdefghij"}\n'
