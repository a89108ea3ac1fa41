// Package migration is virt-handler's half of a live migration, as pure
// decisions. On the target node, Target says when to prepare the incoming
// launcher, when to publish where the source may send the VMI, and when the
// VMI is taken over; on the source node, Source says when to start the
// launcher's migration, when to abort it (a deleted migration, or a progress
// or completion timeout), and what to report of its outcome. Each returns the
// VMI's status.migrationState with only the fields its side owns changed, so
// the caller patches those and nothing else.
package migration
