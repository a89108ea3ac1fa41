// Package mergepatch builds pieces of JSON merge patches (RFC 7386) that the
// controllers send with the resourceVersion they read.
package mergepatch
