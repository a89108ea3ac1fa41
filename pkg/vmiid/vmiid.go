package vmiid

import (
	"crypto/sha1" //nolint:gosec // a label value, as upstream computes it, not a security hash
	"encoding/hex"
)

const (
	maxLen  = 63
	hashLen = 8
)

// Of is the kubevirt.io/vmi-id label value of the VMI named name: the name
// itself when it fits a label (63 characters), else its first 54 characters,
// a dash and the first 8 hex digits of the name's SHA-1, as upstream does.
func Of(name string) string {
	if len(name) <= maxLen {
		return name
	}
	sum := sha1.Sum([]byte(name)) //nolint:gosec // see import
	return name[:maxLen-hashLen-1] + "-" + hex.EncodeToString(sum[:])[:hashLen]
}
