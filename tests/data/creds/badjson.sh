#!/bin/sh
# credential_process: cut-off JSON that holds the secret
printf '{"Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE", "SecretAccessKey": "proc/s3kr1tKEY+EXAMPLE0123456789abcdefghij", "Sess'
