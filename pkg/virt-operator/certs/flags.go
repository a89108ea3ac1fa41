package certs

import (
	"errors"

	"github.com/spf13/pflag"
)

// DefaultValidity is the contract's 7 days for the CA and 24 hours for leaves.
func DefaultValidity() Validity { return Validity{CA: DefaultCAValidity, Cert: DefaultCertValidity} }

// AddFlags registers --ca-validity and --cert-validity on fs, for the operator
// (tests pass seconds or minutes).
func (v *Validity) AddFlags(fs *pflag.FlagSet) {
	fs.DurationVar(&v.CA, "ca-validity", DefaultCAValidity, "lifetime of kvirt's CA; renewed after 80 %")
	fs.DurationVar(&v.Cert, "cert-validity", DefaultCertValidity,
		"lifetime of virt-api's and virt-handler's certificates; renewed after 80 % or when the CA changes")
}

// Validate checks both lifetimes are positive.
func (v Validity) Validate() error {
	if v.CA <= 0 || v.Cert <= 0 {
		return errors.New("--ca-validity and --cert-validity must be positive")
	}
	return nil
}
