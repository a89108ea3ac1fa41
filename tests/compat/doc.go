// Package compat checks kvirt's API types against upstream KubeVirt's published
// schema (../shared/compat/swagger.json beside the checkout). Test code only.
package compat
