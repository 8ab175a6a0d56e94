#!/bin/sh
# credential_process: temporary credentials that expire at $1 (ISO 8601)
printf '{"Version":1,"AccessKeyId":"ASIAPROCESSEXAMPLE","SecretAccessKey":"proc/s3kr1tKEY+EXAMPLE0123456789abcdefghij","SessionToken":"proc/s3kr1tTOKEN+EXAMPLEabcdefghijklmnopqrstu","Expiration":"%s"}\n' "$1"
