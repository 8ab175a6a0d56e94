#!/bin/sh
# credential_process: no Version at all
printf '{"AccessKeyId":"ASIAPROCESSEXAMPLE","SecretAccessKey":"procSECRETkey/EXAMPLE+0123456789abcdefghij"}\n'
