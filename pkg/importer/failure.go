package importer

import (
	"errors"
	"os"
	"strings"
)

// The reasons an import fails, first in the termination message (the
// DataVolume controller shows the message on the DataVolume).
const (
	reasonHTTP     = "Unable to connect to http data source"
	reasonRegistry = "Unable to connect to registry data source"
	reasonSource   = "Unable to open the source volume"
	reasonRead     = "Unable to read data from the source"
	reasonProcess  = "Unable to process data"
	reasonWrite    = "Unable to write to the destination"
	reasonScratch  = "Unable to use scratch space"
	reasonTooLarge = "The image does not fit the target"
	reasonFlags    = "Invalid importer arguments"
	reasonProgress = "Unable to serve progress"
	reasonUpload   = "Unable to serve uploads"
)

// Failure is an import error with the reason it is reported under.
type Failure struct {
	Reason string
	Err    error
}

func (f *Failure) Error() string {
	if f.Err == nil {
		return f.Reason
	}
	return f.Reason + ": " + f.Err.Error()
}

func (f *Failure) Unwrap() error { return f.Err }

// fail gives err a reason unless it already has one (the innermost wins).
func fail(reason string, err error) error {
	var f *Failure
	if err == nil || errors.As(err, &f) {
		return err
	}
	return &Failure{Reason: reason, Err: err}
}

// maxMessage is the kubelet's limit on a termination message.
const maxMessage = 4096

// Message is err as one line of at most maxMessage bytes.
func Message(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if len(msg) > maxMessage {
		msg = msg[:maxMessage]
	}
	return msg
}

// writeTerminationLog writes the message where the kubelet reads it; path ""
// writes nothing. A failure to write is not worth hiding the import's error.
func writeTerminationLog(path string, err error) {
	if path == "" {
		return
	}
	_ = os.WriteFile(path, []byte(Message(err)+"\n"), 0o644)
}
