// Package secretvolume writes files the way the kubelet updates a Secret or
// ConfigMap volume: each version in a new hidden timestamped directory, a
// "..data" symlink swapped atomically to it, and one stable symlink per key
// pointing through "..data". Tests use it to rotate certificates in place.
package secretvolume
