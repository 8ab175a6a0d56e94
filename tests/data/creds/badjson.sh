#!/bin/sh
# credential_process: cut-off JSON that holds the secret
printf '{"Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE", "SecretAccessKey": "procSECRETkey/EXAMPLE+0123456789abcdefghij", "Sess'
