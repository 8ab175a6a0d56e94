#!/bin/sh
# credential_process: temporary credentials, as a helper prints them
cat <<'JSON'
{
  "Version": 1,
  "AccessKeyId": "ASIAPROCESSEXAMPLE",
  "SecretAccessKey": "procSECRETkey/EXAMPLE+0123456789abcdefghij",
  "SessionToken": "procSESSIONtoken/EXAMPLE+abcdefghijklmnopqrstu",
  "Expiration": "2030-01-01T00:00:00Z"
}
JSON
