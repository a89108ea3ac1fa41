package vm

import (
	"fmt"
	"strconv"
	"strings"
)

// flagError names the flag a bad value came from, as upstream words it.
func flagError(flag, format string, args ...any) error {
	return fmt.Errorf("failed to parse \"--%s\" flag: %s", flag, fmt.Sprintf(format, args...))
}

// parseParams splits "key:value,key:value" (a value may hold further colons,
// as image references do) and refuses keys outside known.
func parseParams(flag, in string, known ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(in, ",") {
		key, value, ok := strings.Cut(part, ":")
		if !ok || key == "" {
			return nil, flagError(flag, "params need to have at least one colon: %s", part)
		}
		if !contains(known, key) {
			return nil, flagError(flag, "unknown param(s): %s", part)
		}
		if _, dup := out[key]; dup {
			return nil, flagError(flag, "param %q was given more than once", key)
		}
		out[key] = value
	}
	return out, nil
}

// bootOrder reads the optional bootorder param.
func bootOrder(flag string, p map[string]string) (*int32, error) {
	raw, ok := p["bootorder"]
	if !ok {
		return nil, nil
	}
	n, err := strconv.ParseInt(raw, 10, 32)
	if err != nil {
		return nil, flagError(flag, "bootorder %q is not a number", raw)
	}
	if n <= 0 {
		return nil, flagError(flag, "bootorder must be greater than 0")
	}
	b := int32(n)
	return &b, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
