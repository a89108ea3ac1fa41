package importer

import (
	"errors"
	"fmt"

	"kvirt.io/kvirt/pkg/importer/sparse"
)

// checkFits refuses an image whose guest-visible size exceeds the target's
// usable size; a smaller image is fine (the target is extended for a file).
func checkFits(virtual, capacity int64) error {
	if virtual > capacity {
		return &Failure{Reason: reasonTooLarge, Err: fmt.Errorf(
			"virtual image size %d is larger than the target size %d", virtual, capacity)}
	}
	return nil
}

// copyFailure gives a sparse.Copy error its reason: reading the source,
// overflowing the target, or writing it.
func copyFailure(err error, capacity int64) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sparse.ErrTooLarge):
		return &Failure{Reason: reasonTooLarge, Err: fmt.Errorf(
			"the image holds more than the target size %d", capacity)}
	case errors.Is(err, sparse.ErrRead):
		return fail(reasonRead, err)
	default:
		return fail(reasonWrite, err)
	}
}
