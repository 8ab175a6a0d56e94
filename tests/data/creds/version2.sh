#!/bin/sh
# credential_process: a Version this format does not have
printf '{"Version":2,"AccessKeyId":"ASIAPROCESSEXAMPLE","SecretAccessKey":"procSECRETkey/EXAMPLE+0123456789abcdefghij"}\n'
