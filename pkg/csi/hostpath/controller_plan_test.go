package hostpath

import (
	"testing"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func mountCap(mode csi.VolumeCapability_AccessMode_Mode) *csi.VolumeCapability {
	return &csi.VolumeCapability{
		AccessType: &csi.VolumeCapability_Mount{Mount: &csi.VolumeCapability_MountVolume{}},
		AccessMode: &csi.VolumeCapability_AccessMode{Mode: mode},
	}
}

func blockCap() *csi.VolumeCapability {
	return &csi.VolumeCapability{
		AccessType: &csi.VolumeCapability_Block{Block: &csi.VolumeCapability_BlockVolume{}},
		AccessMode: &csi.VolumeCapability_AccessMode{Mode: csi.VolumeCapability_AccessMode_SINGLE_NODE_WRITER},
	}
}

var rwo = mountCap(csi.VolumeCapability_AccessMode_SINGLE_NODE_WRITER)

func topo(node string) *csi.TopologyRequirement {
	return &csi.TopologyRequirement{Requisite: []*csi.Topology{{Segments: map[string]string{TopologyKey: node}}}}
}

func TestPlanCreate(t *testing.T) {
	fs1G := &Volume{ID: volumeID("pvc-1"), Name: "pvc-1", CapacityBytes: 1 << 30, AccessType: AccessFilesystem, NodeID: "n1"}
	tests := []struct {
		name       string
		req        *csi.CreateVolumeRequest
		existing   *Volume
		wantCode   codes.Code
		wantCreate bool
		wantSize   int64
		wantType   AccessType
	}{
		{name: "filesystem with required bytes",
			req:        &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{rwo}, CapacityRange: &csi.CapacityRange{RequiredBytes: 5 << 20}},
			wantCreate: true, wantSize: 5 << 20, wantType: AccessFilesystem},
		{name: "block", req: &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{blockCap()}},
			wantCreate: true, wantSize: DefaultCapacityBytes, wantType: AccessBlock},
		{name: "no range takes the default capped by limit",
			req:        &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{rwo}, CapacityRange: &csi.CapacityRange{LimitBytes: 1 << 20}},
			wantCreate: true, wantSize: 1 << 20, wantType: AccessFilesystem},
		{name: "required above limit", req: &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{rwo},
			CapacityRange: &csi.CapacityRange{RequiredBytes: 2, LimitBytes: 1}}, wantCode: codes.OutOfRange},
		{name: "no name", req: &csi.CreateVolumeRequest{VolumeCapabilities: []*csi.VolumeCapability{rwo}}, wantCode: codes.InvalidArgument},
		{name: "no capabilities", req: &csi.CreateVolumeRequest{Name: "pvc-1"}, wantCode: codes.InvalidArgument},
		{name: "multi-node mode", req: &csi.CreateVolumeRequest{Name: "pvc-1",
			VolumeCapabilities: []*csi.VolumeCapability{mountCap(csi.VolumeCapability_AccessMode_MULTI_NODE_MULTI_WRITER)}},
			wantCode: codes.InvalidArgument},
		{name: "mixed block and mount", req: &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{rwo, blockCap()}},
			wantCode: codes.InvalidArgument},
		{name: "requisite topology of this node", req: &csi.CreateVolumeRequest{Name: "pvc-1",
			VolumeCapabilities: []*csi.VolumeCapability{rwo}, AccessibilityRequirements: topo("n1")},
			wantCreate: true, wantSize: DefaultCapacityBytes, wantType: AccessFilesystem},
		{name: "requisite topology of another node", req: &csi.CreateVolumeRequest{Name: "pvc-1",
			VolumeCapabilities: []*csi.VolumeCapability{rwo}, AccessibilityRequirements: topo("n2")}, wantCode: codes.ResourceExhausted},
		{name: "existing compatible volume is returned", existing: fs1G,
			req:      &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{rwo}, CapacityRange: &csi.CapacityRange{RequiredBytes: 1 << 20}},
			wantSize: 1 << 30, wantType: AccessFilesystem},
		{name: "existing too small", existing: fs1G,
			req:      &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{rwo}, CapacityRange: &csi.CapacityRange{RequiredBytes: 2 << 30}},
			wantCode: codes.AlreadyExists},
		{name: "existing of another access type", existing: fs1G,
			req: &csi.CreateVolumeRequest{Name: "pvc-1", VolumeCapabilities: []*csi.VolumeCapability{blockCap()}}, wantCode: codes.AlreadyExists},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, create, err := planCreate(tt.req, tt.existing, "n1")
			if got := status.Code(err); got != tt.wantCode {
				t.Fatalf("code = %v (%v), want %v", got, err, tt.wantCode)
			}
			if err != nil {
				return
			}
			if create != tt.wantCreate || v.CapacityBytes != tt.wantSize || v.AccessType != tt.wantType {
				t.Errorf("got create=%v %+v, want create=%v size=%d type=%s", create, v, tt.wantCreate, tt.wantSize, tt.wantType)
			}
			if v.ID != volumeID("pvc-1") || v.NodeID != "n1" {
				t.Errorf("id/node = %s/%s", v.ID, v.NodeID)
			}
		})
	}
}

func TestPlanExpand(t *testing.T) {
	tests := []struct {
		name     string
		current  int64
		r        *csi.CapacityRange
		want     int64
		wantCode codes.Code
	}{
		{name: "grows", current: 10, r: &csi.CapacityRange{RequiredBytes: 20}, want: 20},
		{name: "never shrinks", current: 30, r: &csi.CapacityRange{RequiredBytes: 20}, want: 30},
		{name: "no required bytes", current: 10, r: nil, wantCode: codes.InvalidArgument},
		{name: "required above limit", current: 10, r: &csi.CapacityRange{RequiredBytes: 20, LimitBytes: 15}, wantCode: codes.OutOfRange},
		{name: "current above limit", current: 30, r: &csi.CapacityRange{RequiredBytes: 20, LimitBytes: 25}, wantCode: codes.OutOfRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := planExpand(tt.current, tt.r)
			if status.Code(err) != tt.wantCode {
				t.Fatalf("code = %v (%v), want %v", status.Code(err), err, tt.wantCode)
			}
			if err == nil && got != tt.want {
				t.Errorf("size = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestVolumeIDIsStableAndDistinct(t *testing.T) {
	a1, a2 := volumeID("a"), volumeID("a")
	if a1 != a2 || a1 == volumeID("b") || !validID(volumeID("a/..")) {
		t.Errorf("volume ids are not stable, distinct and path-safe")
	}
}
