// Package poll waits for a condition in tests: it polls with a deadline and fails
// with what it last saw, instead of sleeping for a guessed time. Test helpers only.
package poll
