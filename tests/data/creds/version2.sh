#!/bin/sh
# credential_process: a Version this format does not have
printf '{"Version":2,"AccessKeyId":"ASIAPROCESSEXAMPLE","SecretAccessKey":"proc/s3kr1tKEY+EXAMPLE0123456789abcdefghij"}\n'
