#!/bin/sh
# credential_process: a key without its secret
printf '{"Version":1,"AccessKeyId":"ASIAPROCESSEXAMPLE","SessionToken":"procSESSIONtoken/EXAMPLE+abcdefghijklmnopqrstu"}\n'
