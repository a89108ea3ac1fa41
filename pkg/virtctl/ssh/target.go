package ssh

import (
	"os"
	"strings"

	"kvirt.io/kvirt/pkg/virtctl/portforward"
)

// Destination is [USER@]TYPE/NAME[/NAMESPACE]: who logs in where.
type Destination struct {
	User   string
	Target portforward.Target
}

// ParseDestination reads a destination; without a user, fallback (the
// --username flag, else the local user) logs in.
func ParseDestination(s, fallback string) (Destination, error) {
	user, rest, ok := strings.Cut(s, "@")
	if !ok {
		user, rest = fallback, s
	}
	if user == "" {
		user = os.Getenv("USER")
	}
	t, err := portforward.ParseTarget(rest)
	if err != nil {
		return Destination{}, err
	}
	return Destination{User: user, Target: t}, nil
}

// Location is one scp argument: a local path, or a path on a guest.
type Location struct {
	Remote *Destination
	Path   string
}

// ParseLocation reads an scp argument: [USER@]TYPE/NAME[/NAMESPACE]:PATH is
// remote, anything else (no colon, or no vm/NAME before it) a local path.
func ParseLocation(s, fallback string) (Location, error) {
	head, path, ok := strings.Cut(s, ":")
	if !ok {
		return Location{Path: s}, nil
	}
	d, err := ParseDestination(head, fallback)
	if err != nil {
		return Location{Path: s}, nil //nolint:nilerr // not a VM: a local path with a colon
	}
	if path == "" {
		path = "."
	}
	return Location{Remote: &d, Path: path}, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
