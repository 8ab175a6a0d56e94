#!/bin/sh
# credential_process: credentials that expired on 2020-01-01
cat <<'JSON'
{"Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE",
 "SecretAccessKey": "proc/s3kr1tKEY+EXAMPLE0123456789abcdefghij",
 "SessionToken": "proc/s3kr1tTOKEN+EXAMPLEabcdefghijklmnopqrstu",
 "Expiration": "2020-01-01T00:00:00Z"}
JSON
