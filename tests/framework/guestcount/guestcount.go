package guestcount

import (
	"regexp"
	"strconv"
)

// UserData is the script (NoCloud user data) that counts.
const UserData = "#!/bin/sh\n(i=0; while :; do echo \"KVIRT-COUNT $i\" >/dev/console; i=$((i+1)); sleep 1; done) &\n"

// Marker is what each count line starts with.
const Marker = "KVIRT-COUNT "

var countRE = regexp.MustCompile(`KVIRT-COUNT (\d+)`)

// Last is the highest count in out, -1 before the first.
func Last(out string) int {
	last := -1
	for _, m := range countRE.FindAllStringSubmatch(out, -1) {
		if n, err := strconv.Atoi(m[1]); err == nil && n > last {
			last = n
		}
	}
	return last
}
