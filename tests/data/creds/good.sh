#!/bin/sh
# credential_process: temporary credentials, as a helper prints them
cat <<'JSON'
{
  "Version": 1,
  "AccessKeyId": "ASIAPROCESSEXAMPLE",
  "SecretAccessKey": "proc/s3kr1tKEY+EXAMPLE0123456789abcdefghij",
  "SessionToken": "proc/s3kr1tTOKEN+EXAMPLEabcdefghijklmnopqrstu",
  "Expiration": "2030-01-01T00:00:00Z"
}
JSON
