package ssh

import (
	"fmt"
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
// remote, anything else (no colon, or nothing like vm/NAME before it) local.
func ParseLocation(s, fallback string) (Location, error) {
	head, path, ok := strings.Cut(s, ":")
	if !ok || !strings.Contains(head, "/") {
		return Location{Path: s}, nil
	}
	d, err := ParseDestination(head, fallback)
	if err != nil {
		return Location{}, fmt.Errorf("scp location %q: %w", s, err)
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
