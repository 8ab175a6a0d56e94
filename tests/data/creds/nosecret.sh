#!/bin/sh
# credential_process: a key without its secret
printf '{"Version":1,"AccessKeyId":"ASIAPROCESSEXAMPLE","SessionToken":"proc/s3kr1tTOKEN+EXAMPLEabcdefghijklmnopqrstu"}\n'
