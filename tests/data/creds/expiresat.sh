#!/bin/sh
# credential_process: temporary credentials that expire at $1 (ISO 8601)
printf '{"Version":1,"AccessKeyId":"ASIAPROCESSEXAMPLE","SecretAccessKey":"procSECRETkey/EXAMPLE+0123456789abcdefghij","SessionToken":"procSESSIONtoken/EXAMPLE+abcdefghijklmnopqrstu","Expiration":"%s"}\n' "$1"
