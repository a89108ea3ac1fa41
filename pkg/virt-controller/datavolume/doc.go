// Package datavolume is kvirt's own DataVolume controller (cdi.kubevirt.io/v1beta1),
// run where CDI is not installed. For each DataVolume it creates the claim of the
// same name (owned by the DataVolume) and one transfer pod running kvirt's
// importer, and reports phases, progress, restarts and the Bound, Running and
// Ready conditions as CDI does.
//
// Sources: http and registry (an importer pod reading --endpoint), blank, pvc and
// sourceRef to a DataSource (a clone: the importer reads the source claim mounted
// read-only; same namespace only), and upload (the importer as an upload server,
// phase UploadReady). TODO(upload): the authenticated upload endpoint in virt-api
// that virtctl image-upload talks to is later work; until then UploadReady says
// so in the Running condition's message.
//
// WaitForFirstConsumer: by default the importer pod is the claim's first
// consumer (CDI with its HonorWaitForFirstConsumer gate off): it is created at
// once and the claim binds on the node it is scheduled to. With
// Config.HonorWaitForFirstConsumer the DataVolume stays in WaitForFirstConsumer
// while its claim's StorageClass binds on first use and the scheduler has not
// picked a node for it yet (annotation volume.kubernetes.io/selected-node).
//
// Failures: a failed pod is counted in status.restartCount, its termination
// message lands in the Running condition and an Event, and after a backoff
// (doubling from Config.RetryBackoff, capped at MaxRetryBackoff) it is replaced;
// like CDI, the controller keeps retrying and reports Failed only for what no
// retry can fix (an unsupported source, a lost claim, a spec without size).
//
// Decisions are pure functions of (DataVolume, observed objects, now) in
// decide.go, claim.go, pod.go and source.go; controller.go only fetches, decides
// and applies. It must not import the other controllers.
package datavolume
