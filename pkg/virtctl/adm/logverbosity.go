package adm

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	virtv1 "kvirt.io/api/core/v1"
	"kvirt.io/kvirt/pkg/logverbosity"
)

// show is the NoOptDefVal of the level flags: the flag given without a value
// asks for the component's current level.
const show = -1

// unset marks a level flag not given.
const unset = -2

// jsonFields are the logVerbosity field names of each component.
var jsonFields = map[string]string{
	logverbosity.VirtAPI:        "virtAPI",
	logverbosity.VirtController: "virtController",
	logverbosity.VirtHandler:    "virtHandler",
	logverbosity.VirtLauncher:   "virtLauncher",
	logverbosity.VirtOperator:   "virtOperator",
}

// Request is what the flags ask: per component a level to set, show, or unset.
type Request struct {
	All    int
	Levels map[string]int
	Reset  bool
}

func newRequest() *Request {
	r := &Request{All: unset, Levels: map[string]int{}}
	for _, c := range logverbosity.Components {
		r.Levels[c] = unset
	}
	return r
}

// Validate rejects levels outside 0..9.
func (r *Request) Validate() error {
	check := func(flag string, v int) error {
		if v != unset && v != show && (v < 0 || v > logverbosity.MaxLevel) {
			return fmt.Errorf("--%s=%d: log verbosity must be between 0 and %d", flag, v, logverbosity.MaxLevel)
		}
		return nil
	}
	if err := check("all", r.All); err != nil {
		return err
	}
	for _, c := range logverbosity.Components {
		if err := check(c, r.Levels[c]); err != nil {
			return err
		}
	}
	return nil
}

// resolved is each component's requested level, --all filling those not named.
func (r *Request) resolved() map[string]int {
	out := map[string]int{}
	for _, c := range logverbosity.Components {
		v := r.Levels[c]
		if v == unset {
			v = r.All
		}
		out[c] = v
	}
	return out
}

// Patch is the JSON merge patch of the KubeVirt CR the request makes, nil when
// it only shows levels. --reset clears every component's level (back to the
// component default) before the levels given are set; nodeVerbosity is kept.
func (r *Request) Patch() ([]byte, error) {
	fields := map[string]any{}
	if r.Reset {
		for _, f := range jsonFields {
			fields[f] = nil
		}
	}
	for c, v := range r.resolved() {
		if v >= 0 {
			fields[jsonFields[c]] = v
		}
	}
	if len(fields) == 0 {
		return nil, nil
	}
	patch := map[string]any{"spec": map[string]any{"configuration": map[string]any{
		"developerConfiguration": map[string]any{"logVerbosity": fields}}}}
	b, err := json.Marshal(patch)
	if err != nil {
		return nil, fmt.Errorf("encode patch: %w", err)
	}
	return b, nil
}

// Shown lists the components whose level the request prints: those given
// without a value, or all when no level flag and no --reset is given.
func (r *Request) Shown() []string {
	var out []string
	nothing := !r.Reset
	levels := r.resolved()
	for _, c := range logverbosity.Components {
		if levels[c] == show {
			out = append(out, c)
		}
		if levels[c] != unset {
			nothing = false
		}
	}
	if nothing {
		return logverbosity.Components
	}
	return out
}

// Print writes "component = level" for each component in shown, the
// component default (0) where the CR sets none.
func Print(w io.Writer, kv *virtv1.KubeVirt, shown []string) error {
	var b strings.Builder
	lv := logverbosity.FromKubeVirt(kv)
	for _, c := range shown {
		fmt.Fprintf(&b, "%s = %d\n", c, logverbosity.Level(lv, c, "", 0))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
