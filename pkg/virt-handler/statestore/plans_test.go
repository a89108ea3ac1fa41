package statestore

import (
	"encoding/json"
	"testing"

	"kvirt.io/kvirt/pkg/network/podplan"
)

// A record written before secondary networks (one podNetwork plan) still
// gives its plan, so a handler upgraded under a running VMI applies it again
// instead of planning anew (the pod address may have moved to the guest).
func TestPlansReadsTheSinglePlanFormat(t *testing.T) {
	var old Record
	if err := json.Unmarshal([]byte(`{"uid":"u","podNetwork":{"interface":"default","binding":"bridge","tap":"tap0"}}`), &old); err != nil {
		t.Fatal(err)
	}
	if p := old.Plans(); len(p) != 1 || p[0].Interface != "default" || p[0].Tap != "tap0" {
		t.Errorf("Plans() of an old record = %+v", p)
	}
	both := Record{PodNetworks: []*podplan.Plan{{Interface: "default"}, {Interface: "secnet"}},
		PodNetwork: &podplan.Plan{Interface: "stale"}}
	if p := both.Plans(); len(p) != 2 || p[1].Interface != "secnet" {
		t.Errorf("Plans() = %+v, want the list", p)
	}
}
