// Package expectations remembers the creations and deletions a controller made but
// its informer has not shown yet, so a sync on a stale cache does not act twice.
// It must not import the controllers.
package expectations
