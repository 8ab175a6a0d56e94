#!/bin/sh
# credential_process: no Version at all
printf '{"AccessKeyId":"ASIAPROCESSEXAMPLE","SecretAccessKey":"proc/s3kr1tKEY+EXAMPLE0123456789abcdefghij"}\n'
