package hostpath

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/container-storage-interface/spec/lib/go/csi"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// volumeID derives a volume's id from its name, so a retried CreateVolume
// finds the volume the first call made without any index of names.
func volumeID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return "vol-" + hex.EncodeToString(sum[:16])
}

// supportedModes are the access modes a node-local volume can honour.
var supportedModes = map[csi.VolumeCapability_AccessMode_Mode]bool{
	csi.VolumeCapability_AccessMode_SINGLE_NODE_WRITER:        true,
	csi.VolumeCapability_AccessMode_SINGLE_NODE_READER_ONLY:   true,
	csi.VolumeCapability_AccessMode_SINGLE_NODE_SINGLE_WRITER: true,
	csi.VolumeCapability_AccessMode_SINGLE_NODE_MULTI_WRITER:  true,
}

// accessTypeOf checks caps and returns the one access type they all ask for.
func accessTypeOf(caps []*csi.VolumeCapability) (AccessType, error) {
	if len(caps) == 0 {
		return "", status.Error(codes.InvalidArgument, "volume capabilities are required")
	}
	var at AccessType
	for _, c := range caps {
		t, err := capabilityType(c)
		if err != nil {
			return "", err
		}
		if at != "" && t != at {
			return "", status.Error(codes.InvalidArgument, "capabilities mix block and filesystem access")
		}
		at = t
	}
	return at, nil
}

func capabilityType(c *csi.VolumeCapability) (AccessType, error) {
	if c.GetAccessMode() == nil || !supportedModes[c.GetAccessMode().GetMode()] {
		return "", status.Errorf(codes.InvalidArgument, "access mode %v is not supported (node-local volumes only)",
			c.GetAccessMode().GetMode())
	}
	switch {
	case c.GetBlock() != nil:
		return AccessBlock, nil
	case c.GetMount() != nil:
		if fs := c.GetMount().GetFsType(); fs != "" {
			return "", status.Errorf(codes.InvalidArgument, "fsType %q is not supported: volumes are directories", fs)
		}
		return AccessFilesystem, nil
	default:
		return "", status.Error(codes.InvalidArgument, "capability names neither block nor mount access")
	}
}

// capacityFor picks the size of a new volume from the requested range.
func capacityFor(r *csi.CapacityRange) (int64, error) {
	req, limit := r.GetRequiredBytes(), r.GetLimitBytes()
	if req < 0 || limit < 0 {
		return 0, status.Error(codes.InvalidArgument, "capacity range must not be negative")
	}
	if limit > 0 && req > limit {
		return 0, status.Errorf(codes.OutOfRange, "required %d bytes exceeds the limit %d", req, limit)
	}
	switch {
	case req > 0:
		return req, nil
	case limit > 0 && limit < DefaultCapacityBytes:
		return limit, nil
	default:
		return DefaultCapacityBytes, nil
	}
}

// fitsRange tells whether an existing size satisfies a requested range.
func fitsRange(size int64, r *csi.CapacityRange) bool {
	if r.GetRequiredBytes() > 0 && size < r.GetRequiredBytes() {
		return false
	}
	return r.GetLimitBytes() == 0 || size <= r.GetLimitBytes()
}

// nodeAllowed tells whether the requisite topologies (if any) include node.
func nodeAllowed(req *csi.TopologyRequirement, node string) bool {
	if len(req.GetRequisite()) == 0 {
		return true
	}
	for _, t := range req.GetRequisite() {
		if v, ok := t.GetSegments()[TopologyKey]; ok && v == node {
			return true
		}
	}
	return false
}

// planCreate decides what CreateVolume does: it returns the volume to create,
// or, when existing already satisfies the request, existing with create false.
func planCreate(req *csi.CreateVolumeRequest, existing *Volume, node string) (v Volume, create bool, err error) {
	if req.GetName() == "" {
		return Volume{}, false, status.Error(codes.InvalidArgument, "name is required")
	}
	at, err := accessTypeOf(req.GetVolumeCapabilities())
	if err != nil {
		return Volume{}, false, err
	}
	if !nodeAllowed(req.GetAccessibilityRequirements(), node) {
		return Volume{}, false, status.Errorf(codes.ResourceExhausted, "requisite topology excludes node %s", node)
	}
	if existing != nil {
		if existing.AccessType != at || !fitsRange(existing.CapacityBytes, req.GetCapacityRange()) {
			return Volume{}, false, status.Errorf(codes.AlreadyExists,
				"volume %q exists with %s access and %d bytes", req.GetName(), existing.AccessType, existing.CapacityBytes)
		}
		return *existing, false, nil
	}
	size, err := capacityFor(req.GetCapacityRange())
	if err != nil {
		return Volume{}, false, err
	}
	return Volume{ID: volumeID(req.GetName()), Name: req.GetName(), CapacityBytes: size, AccessType: at, NodeID: node}, true, nil
}

// planExpand returns the size a volume of current bytes has after an expand
// request; volumes never shrink.
func planExpand(current int64, r *csi.CapacityRange) (int64, error) {
	req, limit := r.GetRequiredBytes(), r.GetLimitBytes()
	if req <= 0 {
		return 0, status.Error(codes.InvalidArgument, "required bytes must be positive")
	}
	if limit > 0 && req > limit {
		return 0, status.Errorf(codes.OutOfRange, "required %d bytes exceeds the limit %d", req, limit)
	}
	if limit > 0 && current > limit {
		return 0, status.Errorf(codes.OutOfRange, "volume already has %d bytes, above the limit %d", current, limit)
	}
	return max(current, req), nil
}
