// Package virtapi runs virt-api: admission webhooks and the aggregated
// subresources.kubevirt.io API. It must not import other components' packages.
package virtapi
