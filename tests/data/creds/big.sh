#!/bin/sh
# credential_process: far more output than any credential document
i=0
while [ $i -lt 2000 ]; do
	echo "0123456789012345678901234567890123456789012345678901234567890123456789"
	i=$((i + 1))
done
