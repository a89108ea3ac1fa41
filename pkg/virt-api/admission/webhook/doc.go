// Package webhook serves kvirt's admission webhooks over HTTP (AdmissionReview
// v1): it decodes the object, looks up what the rules need, runs the pure rules
// of the validating and mutating packages and encodes the verdict, with every
// violation as a Status cause carrying its field path. It does not serve TLS.
package webhook
