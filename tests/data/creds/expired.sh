#!/bin/sh
# credential_process: credentials that expired on 2020-01-01
cat <<'JSON'
{"Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE",
 "SecretAccessKey": "procSECRETkey/EXAMPLE+0123456789abcdefghij",
 "SessionToken": "procSESSIONtoken/EXAMPLE+abcdefghijklmnopqrstu",
 "Expiration": "2020-01-01T00:00:00Z"}
JSON
