// Package imageupload is `virtctl image-upload`: it creates (or reuses) a
// cdi.kubevirt.io DataVolume whose source is upload, waits until its upload
// server is ready, streams a local disk image through the Kubernetes API
// (virt-api's aggregated datavolumes/upload) and waits until the DataVolume has
// Succeeded. It talks to the cluster only through client-go and must not import
// virt-api or the DataVolume controller.
package imageupload
